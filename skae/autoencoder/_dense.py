"""DenseAutoencoder: fully connected encoder and mirrored decoder."""

from __future__ import annotations

import keras
import numpy as np

from .. import _persistence
from .._keras.networks import dense_decoder, dense_encoder
from .._utils._params import Boolean, Constant, Interval, LayerSizes, as_layer_sizes
from ._base import KERAS_ACTIVATION, BaseAutoencoder
from ._docs import fill_doc


@_persistence.register
@fill_doc(noise_default="None", batch_size_default="64")
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
    hidden_layer_sizes : "auto" or tuple of int, default="auto"
        Encoder widths from input to code; the decoder mirrors them. ``"auto"``
        is skae's default network: two hidden layers of
        ``max(256, 2 * n_components)`` and ``max(128, 2 * n_components)``
        units in parallel with a linear path from input to code and from code
        to output, which starts as PCA of the training data (with linear code
        and output activations) while the hidden layers' contribution starts
        at zero. Training can only move it away from PCA where that lowers the
        loss. Chosen on development data sets (see ``docs/design.md``,
        Defaults). ``()`` is the plain one-layer autoencoder (linear with the
        default code activation, so at best PCA); ``(128, 64)`` with
        ``n_components=32`` is the tutorial's deep 128-64-32 model.
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
        "hidden_layer_sizes": (Constant("auto"), LayerSizes()),
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
        hidden_layer_sizes="auto",
        activation: str = "relu",
        code_activation: str = "linear",
        output_activation: str = "auto",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_schedule: str = "constant",
        batch_size: int = 64,
        epochs: int = 200,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 0.0,
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
        self.learning_rate_schedule = learning_rate_schedule
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

    @property
    def _linear_shortcut(self) -> bool:
        """Whether the network is skae's default (``"auto"``, checked in fit):
        a linear path plus the MLP."""
        return isinstance(self.hidden_layer_sizes, str)

    def _hidden_layer_sizes(self) -> tuple[int, ...]:
        """The encoder's hidden widths, with ``"auto"`` resolved."""
        if self._linear_shortcut:
            return auto_hidden_layer_sizes(self.n_components)
        return as_layer_sizes(self.hidden_layer_sizes)

    def _initialize_weights(self, X: np.ndarray) -> bool:
        # The linear path starts as PCA of the training inputs when both ends
        # are linear: the network starts where PCA ends and learns the rest.
        if not (
            self._linear_shortcut
            and self.code_activation == "linear"
            and self._output_activation == "linear"
        ):
            return False
        encoder_kernel, encoder_bias, decoder_kernel, decoder_bias = pca_weights(
            X, self.n_components
        )
        self.encoder_.get_layer("code_linear").set_weights(
            [encoder_kernel, encoder_bias]
        )
        self.decoder_.get_layer("output_linear").set_weights(
            [decoder_kernel, decoder_bias]
        )
        return True

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        return dense_encoder(
            input_shape[0],
            hidden_layer_sizes=self._hidden_layer_sizes(),
            n_components=self.n_components,
            linear_shortcut=self._linear_shortcut,
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
            hidden_layer_sizes=self._hidden_layer_sizes(),
            activation=self.activation,
            output_activation=self._output_activation,
            linear_shortcut=self._linear_shortcut,
            dropout=self.dropout,
            batch_normalization=bool(self.batch_normalization),
        )


def auto_hidden_layer_sizes(n_components: int) -> tuple[int, int]:
    """Return the encoder widths that ``hidden_layer_sizes="auto"`` stands for."""
    return (max(256, 2 * n_components), max(128, 2 * n_components))


# PCA for the initial linear path is fitted on at most this many rows.
PCA_INIT_MAX_ROWS = 20_000
# Up to this cost (rows x columns x the smaller of the two) a full SVD is no
# slower than a randomized one of a few components, whose fixed costs dominate
# small data: 1 347 x 64 rows took 6 ms exactly and 0.15 s randomized, 5 000 x
# 200 took 0.06 s either way (2 CPU cores).
EXACT_SVD_MAX_COST = 2**28


def pca_weights(X: np.ndarray, n_components: int) -> list[np.ndarray]:
    """Return PCA of ``X`` as Dense weights: encoder kernel and bias, decoder's.

    Codes beyond the rank of ``X`` get zero directions. Longer inputs are
    sampled (``PCA_INIT_MAX_ROWS`` rows, in order), and a few components of
    large, wide data come from a randomized SVD; both are seeded, so deterministic.
    """
    from sklearn.utils.extmath import randomized_svd

    if len(X) > PCA_INIT_MAX_ROWS:
        rows = np.random.default_rng(0).choice(len(X), PCA_INIT_MAX_ROWS, replace=False)
        X = X[np.sort(rows)]
    # One float64 copy of the rows used, centred in place.
    centred = np.array(X, dtype=np.float64)
    mean = centred.mean(axis=0)
    centred -= mean
    rank = min(n_components, *centred.shape)
    n_rows, n_columns = centred.shape
    exact_is_cheap = n_rows * n_columns * min(n_rows, n_columns) <= EXACT_SVD_MAX_COST
    if rank < 0.5 * min(centred.shape) and not exact_is_cheap:
        _, _, directions = randomized_svd(centred, rank, random_state=0)
    else:
        _, _, directions = np.linalg.svd(centred, full_matrices=False)
    components = np.zeros((n_components, centred.shape[1]))
    components[:rank] = directions[:rank]
    weights = [components.T, -mean @ components.T, components, mean]
    return [w.astype(np.float32) for w in weights]
