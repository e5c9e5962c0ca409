"""DenoisingAutoencoder: a DenseAutoencoder that learns to undo corrupted input."""

from __future__ import annotations

import keras

from ._corruption import NOISES, InputCorruption
from ._dense import DenseAutoencoder
from ._validation import check_choice, check_number


class DenoisingAutoencoder(DenseAutoencoder):
    """Fully connected autoencoder trained to reconstruct clean data from noisy.

    During training only, the inputs are corrupted (Gaussian noise, or a random
    fraction masked to 0) before the encoder, while the loss compares the output
    with the clean inputs. The network must learn the structure of the data
    rather than copy its input, which also makes an overcomplete code (wider
    than the input) useful. ``predict(X_noisy)`` returns the denoised data;
    ``transform``, ``score_samples`` and the rest see uncorrupted inputs.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code.
    noise : {"gaussian", "mask"}, default="gaussian"
        ``"gaussian"`` adds normal noise of standard deviation ``noise_level``
        (the seed tutorial's noisy images: ``noise_level=0.5``, and the noisy
        inputs are clipped to [0, 1] when ``loss="binary_crossentropy"``, as
        there); ``"mask"`` sets each input to 0 with probability
        ``noise_level`` (masking noise: for standardised data 0 is the mean).
    noise_level : float, default=0.5
        Standard deviation of the Gaussian noise, or fraction of inputs masked
        (in [0, 1)).
    hidden_layer_sizes, activation, code_activation, output_activation, loss, \
optimizer, learning_rate, batch_size, epochs, early_stopping, \
validation_fraction, n_iter_no_change, tol, dropout, batch_normalization, \
activity_l1, random_state, verbose, warm_start, callbacks
        As in :class:`~skae.DenseAutoencoder`. ``random_state`` also seeds the
        noise.

    Attributes
    ----------
    model_, encoder_, decoder_, history_, n_iter_, loss_curve_, \
validation_loss_curve_, best_loss_, best_epoch_, n_features_in_, \
feature_names_in_
        As in :class:`~skae.DenseAutoencoder`. ``model_`` holds the corruption
        layer between its input and the encoder. The validation loss is
        measured on uncorrupted data.

    See Also
    --------
    DenseAutoencoder : The same network trained on clean inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenoisingAutoencoder
    >>> X = load_digits().data / 16
    >>> dae = DenoisingAutoencoder(16, hidden_layer_sizes=(64,), noise_level=0.3,
    ...                            epochs=5, random_state=0).fit(X)
    >>> noisy = np.clip(X + 0.3 * np.random.RandomState(0).normal(size=X.shape), 0, 1)
    >>> dae.predict(noisy).shape
    (1797, 64)
    """

    def __init__(
        self,
        n_components: int = 2,
        *,
        noise: str = "gaussian",
        noise_level: float = 0.5,
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
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            code_activation=code_activation,
            output_activation=output_activation,
            loss=loss,
            optimizer=optimizer,
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            dropout=dropout,
            batch_normalization=batch_normalization,
            activity_l1=activity_l1,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            callbacks=callbacks,
        )
        self.noise = noise
        self.noise_level = noise_level

    def _check_network_params(self, n_features: int) -> None:
        super()._check_network_params(n_features)
        check_choice(self.noise, "noise", NOISES)
        if self.noise == "mask":
            check_number(
                self.noise_level, "noise_level", low=0, high=1, high_inclusive=False
            )
        else:
            check_number(self.noise_level, "noise_level", low=0)

    def _build_corruption(self) -> keras.layers.Layer:
        clip = (0.0, 1.0) if self.loss == "binary_crossentropy" else None
        return InputCorruption(
            self.noise, self.noise_level, clip=clip, name="corruption"
        )
