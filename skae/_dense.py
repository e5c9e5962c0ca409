"""DenseAutoencoder: fully connected encoder and mirrored decoder."""

from __future__ import annotations

import keras

from ._base import BaseAutoencoder
from ._networks import dense_decoder, dense_encoder
from ._validation import check_activation, check_layer_sizes, check_number


class DenseAutoencoder(BaseAutoencoder):
    """Fully connected autoencoder: plain, deep or sparse.

    The encoder is a stack of Dense layers of ``hidden_layer_sizes`` followed by
    a code layer of ``n_components`` units; the decoder mirrors the hidden layers
    and ends in a layer as wide as the input.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (the bottleneck), as in :class:`~sklearn.decomposition.PCA`.
    hidden_layer_sizes : tuple of int, default=()
        Encoder widths from input to code; the decoder mirrors them. ``()`` is the
        plain one-layer autoencoder; ``(128, 64)`` with ``n_components=32`` is the
        seeds' deep 128-64-32 model.
    activation : str, default="relu"
        Activation of the hidden layers.
    code_activation : str, default="linear"
        Activation of the code layer (the seeds use ``"relu"``).
    output_activation : str, default="auto"
        Activation of the output layer; ``"auto"`` means ``"sigmoid"`` for binary
        cross-entropy and ``"linear"`` otherwise.
    loss : {"mse", "mae", "binary_crossentropy"}, default="mse"
        Reconstruction loss; binary cross-entropy needs data in [0, 1].
    optimizer : str, default="adam"
        Name of a Keras optimizer ("adam", "rmsprop", "sgd", ...).
    learning_rate : float, default=1e-3
        The optimizer's learning rate.
    batch_size : int, default=256
        Samples per gradient step.
    epochs : int, default=200
        The most epochs one call of ``fit`` trains.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the data, stop once the validation
        loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch. If False, training stops when the
        training loss stops improving, keeping the last weights.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    n_iter_no_change : int, default=10
        Patience, in epochs.
    tol : float, default=1e-4
        The least decrease of the monitored loss that counts as improvement.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_normalization : bool, default=False
        Batch normalisation in each hidden layer.
    activity_l1 : float, default=0.0
        L1 penalty on the code activations (a sparse autoencoder; the seeds use
        1e-8 per unit with a sum over units, the same here).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation split.
        An int gives identical results on the same machine and backend.
    verbose : {0, 1, 2}, default=0
        0 silent, 1 a progress bar, 2 one line per epoch.
    warm_start : bool, default=False
        If True, ``fit`` continues training the fitted networks.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks run during ``fit``.

    Attributes
    ----------
    model_ : keras.Model
        The autoencoder: input -> encoder -> decoder.
    encoder_ : keras.Model
        Input to code; shares its weights with ``model_``.
    decoder_ : keras.Model
        Code to reconstruction; shares its weights with ``model_``.
    history_ : dict of str to list of float
        Keras' training history, extended by warm starts and ``partial_fit``.
    n_iter_ : int
        Epochs trained in total.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_loss_curve_ : list of float
        Validation loss per epoch (empty without early stopping).
    best_loss_ : float
        The best monitored loss of the last fit (validation loss with early
        stopping, else training loss).
    best_epoch_ : int
        The 1-based epoch of ``best_loss_``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit``, when X had string column names.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.

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
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks

    def _check_network_params(self, n_features: int) -> None:
        check_number(self.n_components, "n_components", integer=True, low=1)
        check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        check_activation(self.activation, "activation")
        check_activation(self.code_activation, "code_activation")
        check_activation(self._output_activation, "output_activation")
        check_number(self.dropout, "dropout", low=0, high=1, high_inclusive=False)
        check_number(self.activity_l1, "activity_l1", low=0)
        if not isinstance(self.batch_normalization, bool):
            raise ValueError(
                f"batch_normalization must be a bool, got {self.batch_normalization!r}."
            )

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        return dense_encoder(
            input_shape[0],
            hidden_layer_sizes=check_layer_sizes(
                self.hidden_layer_sizes, "hidden_layer_sizes"
            ),
            n_components=self.n_components,
            activation=self.activation,
            code_activation=self.code_activation,
            dropout=self.dropout,
            batch_normalization=self.batch_normalization,
            activity_l1=self.activity_l1,
        )

    def _build_decoder(
        self, code_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        return dense_decoder(
            code_shape[0],
            output_shape[0],
            hidden_layer_sizes=check_layer_sizes(
                self.hidden_layer_sizes, "hidden_layer_sizes"
            ),
            activation=self.activation,
            output_activation=self._output_activation,
            dropout=self.dropout,
            batch_normalization=self.batch_normalization,
        )
