"""DenseAutoencoder: fully connected encoder and mirrored decoder."""

from __future__ import annotations

import keras

from .. import _persistence
from .._keras.networks import dense_decoder, dense_encoder
from .._utils._params import Boolean, Interval, LayerSizes, as_layer_sizes
from ._base import KERAS_ACTIVATION, BaseAutoencoder
from ._docs import fill_doc


@_persistence.register
@fill_doc(noise_default="None")
class DenseAutoencoder(BaseAutoencoder):
    """Fully connected autoencoder: plain, deep, sparse or denoising.

    The encoder is a stack of Dense layers of ``hidden_layer_sizes`` followed by
    a code layer of ``n_components`` units; the decoder mirrors the hidden layers
    and ends in a layer as wide as the input. Input with more than two axes
    (images, sequences) is flattened for the network and restored on output.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (the bottleneck), as in :class:`~sklearn.decomposition.PCA`.
    hidden_layer_sizes : tuple of int, default=()
        Encoder widths from input to code; the decoder mirrors them. ``()`` is the
        plain one-layer autoencoder; ``(128, 64)`` with ``n_components=32`` is the
        tutorial's deep 128-64-32 model.
    activation : str, default="relu"
        Activation of the hidden layers.
    code_activation : str, default="linear"
        Activation of the code layer (the tutorial uses ``"relu"``).
    {output_and_loss_parameters}
    {training_parameters}
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_normalization : bool, default=False
        Batch normalisation in each hidden layer.
    activity_l1 : float, default=0.0
        L1 penalty on the code activations (a sparse autoencoder; the tutorial
        uses 1e-8 per unit with a sum over units, the same here).
    {noise_parameters}
    {run_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.
    DenoisingAutoencoder : The same network, with Gaussian noise by default.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenseAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = DenseAutoencoder(n_components=2, hidden_layer_sizes=(64,),
    ...                       epochs=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 2)
    """

    _parameter_specs = {
        "hidden_layer_sizes": LayerSizes(),
        "activation": KERAS_ACTIVATION,
        "code_activation": KERAS_ACTIVATION,
        "dropout": Interval(0, 1, closed="left"),
        "batch_normalization": Boolean(),
        "activity_l1": Interval(0),
    }

    def __init__(
        self,
        n_components: int = 2,
        *,
        hidden_layer_sizes=(),
        activation: str = "relu",
        code_activation: str = "linear",
        output_activation: str = "auto",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        batch_size: int = 256,
        epochs: int = 200,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        dropout: float = 0.0,
        batch_normalization: bool = False,
        activity_l1: float = 0.0,
        noise: str | None = None,
        noise_level: float = 0.5,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        callbacks=None,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.code_activation = code_activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.dropout = dropout
        self.batch_normalization = batch_normalization
        self.activity_l1 = activity_l1
        self.noise = noise
        self.noise_level = noise_level
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        return dense_encoder(
            input_shape[0],
            hidden_layer_sizes=as_layer_sizes(self.hidden_layer_sizes),
            n_components=self.n_components,
            activation=self.activation,
            code_activation=self.code_activation,
            dropout=self.dropout,
            batch_normalization=bool(self.batch_normalization),
            activity_l1=self.activity_l1,
        )

    def _build_decoder(
        self, latent_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        return dense_decoder(
            latent_shape[0],
            output_shape[0],
            hidden_layer_sizes=as_layer_sizes(self.hidden_layer_sizes),
            activation=self.activation,
            output_activation=self._output_activation,
            dropout=self.dropout,
            batch_normalization=bool(self.batch_normalization),
        )
