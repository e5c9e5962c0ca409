"""The base class that owns the fit loop and the public methods of every estimator."""

from __future__ import annotations

import math
import os
import warnings
from abc import abstractmethod

import keras
import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from . import _persistence
from ._errors import elementwise_error
from ._keras_model import AutoencoderModel
from ._seeding import draw_seed, keras_seed
from ._training import TrainingMonitor, compile_model, make_optimizer
from ._validation import check_loss, check_number, check_optimizer

# Rows per prediction call: large batches keep the per-call overhead small.
PREDICTION_BATCH_SIZE = 4096


class BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class for skae autoencoders. Not to be used directly.

    Subclasses store their parameters in ``__init__`` and implement
    :meth:`_check_network_params`, :meth:`_build_encoder` and
    :meth:`_build_decoder`. Everything else (validation, seeding, compiling,
    training, early stopping, history, scoring, persistence) lives here, once.
    See ``docs/design.md`` for the contract.
    """

    # ------------------------------------------------------------------ hooks

    @abstractmethod
    def _check_network_params(self, n_features: int) -> None:
        """Raise ValueError for invalid architecture parameters."""

    @abstractmethod
    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        """Return the encoder for inputs of ``input_shape`` (without batch axis)."""

    @abstractmethod
    def _build_decoder(
        self, code_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        """Return the decoder from codes of ``code_shape`` to ``output_shape``."""

    def _build_corruption(self) -> keras.layers.Layer | None:
        """Return a layer that corrupts inputs during training only, or None."""
        return None

    def _to_model_layout(self, X: np.ndarray) -> np.ndarray:
        """Reshape validated 2-D data to the network's input layout."""
        return X

    # --------------------------------------------------------------- settings

    @property
    def _output_activation(self) -> str:
        if self.output_activation == "auto":
            return "sigmoid" if self.loss == "binary_crossentropy" else "linear"
        return self.output_activation

    def _check_training_params(self) -> None:
        check_loss(self.loss)
        check_optimizer(self.optimizer)
        check_number(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_number(self.batch_size, "batch_size", integer=True, low=1)
        check_number(self.epochs, "epochs", integer=True, low=1)
        check_number(
            self.validation_fraction,
            "validation_fraction",
            low=0,
            high=1,
            low_inclusive=False,
            high_inclusive=False,
        )
        check_number(self.n_iter_no_change, "n_iter_no_change", integer=True, low=1)
        check_number(self.tol, "tol", low=0)
        if self.verbose not in (0, 1, 2) or isinstance(self.verbose, bool):
            raise ValueError(f"verbose must be 0, 1 or 2, got {self.verbose!r}.")
        for name in ("early_stopping", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be a bool, got {getattr(self, name)!r}.")
        if self.callbacks is not None and not all(
            isinstance(c, keras.callbacks.Callback) for c in self.callbacks
        ):
            raise ValueError("callbacks must be None or a list of Keras callbacks.")

    # -------------------------------------------------------------- fitting

    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. ``y`` is ignored.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._guarded_fit(X, incremental=False)

    def partial_fit(self, X, y=None):
        """Train for one more epoch on ``X``, with no validation split.

        The first call builds the networks; later calls continue training them
        and their optimizer state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._guarded_fit(X, incremental=True)

    def _guarded_fit(self, X, *, incremental: bool):
        # A failed fit leaves the estimator as it was before the call.
        before = dict(self.__dict__)
        try:
            self._fit(X, incremental=incremental)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    def _fit(self, X, *, incremental: bool) -> None:
        self._check_training_params()
        continuing = (incremental or self.warm_start) and self.__sklearn_is_fitted__()
        X = validate_data(
            self,
            X,
            reset=not continuing,
            dtype=np.float32,
            order="C",
            ensure_min_samples=2,
        )
        self._check_network_params(X.shape[1])
        if self.loss == "binary_crossentropy":
            _check_unit_interval(X)

        seed = draw_seed(self.random_state)
        with keras_seed(seed):
            if not continuing:
                self._initialize_networks(
                    self._to_model_layout(X[:1]).shape[1:], n_samples=len(X)
                )
            validating = self.early_stopping and not incremental
            if validating:
                X_train, X_val = _shuffled_split(X, self.validation_fraction, seed)
            else:
                X_train, X_val = X, None
            del X
            monitor = TrainingMonitor(
                monitor="val_loss" if validating else "loss",
                patience=math.inf if incremental else self.n_iter_no_change,
                tol=self.tol,
                restore_best=validating,
            )
            history = self._train(
                X_train, X_val, monitor, epochs=1 if incremental else self.epochs
            )
        self._record(history, monitor)

    def _initialize_networks(
        self, input_shape: tuple[int, ...], n_samples: int
    ) -> None:
        encoder = self._build_encoder(tuple(input_shape))
        decoder = self._build_decoder(
            tuple(encoder.output.shape[1:]), tuple(input_shape)
        )
        inputs = keras.Input(tuple(input_shape), name="input")
        corruption = self._build_corruption()
        hidden = corruption(inputs) if corruption is not None else inputs
        model = AutoencoderModel(inputs, decoder(encoder(hidden)), name="autoencoder")
        optimizer = make_optimizer(self.optimizer, self.learning_rate)
        compile_model(model, optimizer, self.loss, n_samples)
        self.model_, self.encoder_, self.decoder_ = model, encoder, decoder
        self.history_ = {}
        self.n_iter_ = 0

    def _train(self, X_train, X_val, monitor, *, epochs: int):
        compile_model(self.model_, self.model_.optimizer, self.loss, len(X_train))
        validation_data = None
        if X_val is not None:
            validation_data = (self._to_model_layout(X_val),)
        return self.model_.fit(
            self._to_model_layout(X_train),
            batch_size=self.batch_size,
            epochs=self.n_iter_ + epochs,
            initial_epoch=self.n_iter_,
            validation_data=validation_data,
            shuffle=True,
            verbose=self.verbose,
            callbacks=[monitor, *(self.callbacks or [])],
        )

    def _record(self, history, monitor: TrainingMonitor) -> None:
        epochs_before = self.n_iter_
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        self.n_iter_ = epochs_before + len(history.history.get("loss", []))
        self.loss_curve_ = self.history_.get("loss", [])
        self.validation_loss_curve_ = self.history_.get("val_loss", [])
        if monitor.diverged_epoch is not None:
            message = (
                f"{type(self).__name__}: the training loss became NaN or infinite "
                f"in epoch {epochs_before + monitor.diverged_epoch + 1}. Lower "
                "learning_rate, scale the input, or use another optimizer."
            )
            if monitor.restored_epoch is None:
                raise FloatingPointError(
                    message + " No epoch finished with a finite loss."
                )
            warnings.warn(
                message + f" Kept the weights of epoch "
                f"{epochs_before + monitor.restored_epoch + 1}.",
                ConvergenceWarning,
                stacklevel=4,
            )
        if monitor.best_epoch is not None:
            self.best_loss_ = monitor.best
            self.best_epoch_ = epochs_before + monitor.best_epoch + 1

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    # ---------------------------------------------------------- inference

    def _validate_input(self, X) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float32, order="C")

    @staticmethod
    def _predict_with(model: keras.Model, X: np.ndarray) -> np.ndarray:
        return model.predict(X, batch_size=PREDICTION_BATCH_SIZE, verbose=0)

    def transform(self, X) -> np.ndarray:
        """Encode ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        ndarray of float32, shape (n_samples, n_components)
            The codes.
        """
        X = self._validate_input(X)
        return self._predict_with(self.encoder_, self._to_model_layout(X))

    def inverse_transform(self, X) -> np.ndarray:
        """Decode codes back to data space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        ndarray of float32, shape (n_samples, n_features_in_)
            The decoded data.
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=np.float32, order="C")
        code_shape = tuple(self.encoder_.output.shape[1:])
        expected = math.prod(code_shape)
        if codes.shape[1] != expected:
            raise ValueError(
                f"X has {codes.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform is expecting {expected} code features as input."
            )
        decoded = self._predict_with(self.decoder_, codes.reshape((-1, *code_shape)))
        return decoded.reshape(decoded.shape[0], -1)

    def predict(self, X) -> np.ndarray:
        """Reconstruct ``X`` (encode, then decode).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.

        Returns
        -------
        ndarray of float32, shape (n_samples, n_features_in_)
            The reconstruction.
        """
        X = self._validate_input(X)
        return self._reconstruct(X)

    def _reconstruct(self, X: np.ndarray) -> np.ndarray:
        reconstruction = self._predict_with(self.model_, self._to_model_layout(X))
        return reconstruction.reshape(X.shape[0], -1)

    def reconstruction_error(self, X, per_feature: bool = False) -> np.ndarray:
        """Return the reconstruction loss of each sample, or of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.
        per_feature : bool, default=False
            If True, return the loss of every feature of every sample, to see
            which features make a sample hard to reconstruct.

        Returns
        -------
        ndarray of float64, shape (n_samples,) or (n_samples, n_features_in_)
            The per-sample mean of the loss over features (the training loss
            without regularisation terms), or the per-feature loss.
        """
        X = self._validate_input(X)
        errors = elementwise_error(X, self._reconstruct(X), self.loss)
        return errors if per_feature else errors.mean(axis=1)

    def score_samples(self, X) -> np.ndarray:
        """Return minus the reconstruction loss of each sample (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        return -self.reconstruction_error(X)

    def score(self, X, y=None) -> float:
        """Return the mean of :meth:`score_samples`: minus the mean loss.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.
        y : None
            Ignored.

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self) -> int:
        return math.prod(self.encoder_.output.shape[1:])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ---------------------------------------------------------- persistence

    def save(self, path: str | os.PathLike) -> None:
        """Save the estimator to a file that :func:`skae.load` reads without pickle.

        Parameters
        ----------
        path : str or path-like
            Where to write the archive (a zip file; ``.skae`` is a good suffix).
        """
        _persistence.save_estimator(self, path)

    def _attach_networks(self, model: keras.Model) -> None:
        self.model_ = model
        self.encoder_ = model.get_layer("encoder")
        self.decoder_ = model.get_layer("decoder")
        # Re-compile for this process's backend, keeping the optimizer state.
        compile_model(model, model.optimizer, self.loss, n_samples=0)

    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            state = dict(state)
            state["model_"] = _persistence.model_to_bytes(state["model_"])
            del state["encoder_"], state["decoder_"]
        return state

    def __setstate__(self, state):
        model_bytes = state.pop("model_", None)
        super().__setstate__(state)
        if model_bytes is not None:
            self._attach_networks(_persistence.model_from_bytes(model_bytes))


def _check_unit_interval(X: np.ndarray) -> None:
    low, high = float(X.min()), float(X.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            "loss='binary_crossentropy' needs data in [0, 1], but X ranges over "
            f"[{low:g}, {high:g}]. Scale it (e.g. MinMaxScaler) or use loss='mse'."
        )


def _shuffled_split(X: np.ndarray, fraction: float, seed: int):
    """Return (train, validation) rows of one shuffled float32 copy of ``X``."""
    n_samples = X.shape[0]
    n_validation = max(1, round(fraction * n_samples))
    if n_samples - n_validation < 1:
        raise ValueError(
            f"validation_fraction={fraction} leaves no training sample out of "
            f"n_samples={n_samples}; lower it or set early_stopping=False."
        )
    shuffled = X[np.random.RandomState(seed).permutation(n_samples)]
    return shuffled[n_validation:], shuffled[:n_validation]
