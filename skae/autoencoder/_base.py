"""BaseAutoencoder: the one fit loop and the public methods of every autoencoder."""

from __future__ import annotations

import contextlib
import math
import os
import warnings

import keras
import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array, check_is_fitted

from .. import _persistence
from .._keras import (
    KERAS_LOSSES,
    AutoencoderModel,
    CosineDecay,
    TrainingMonitor,
    compile_model,
    make_optimizer,
    uses_xla,
)
from .._keras._batches import surfaced_errors
from .._keras._copy_keyword_warning import copy_keyword_warning_hidden
from .._keras._devices import batch_shards, pad_rows, predict_in_shards
from .._keras._epoch_loop import (
    mean_loss,
    multi_epoch_calls,
    runs_epoch_loop,
    train_epochs,
)
from .._keras._gradient_registry import gradient_registrations_released
from .._keras._inference import predict_in_batches
from .._keras._trainer_pool import trainer_for
from .._keras.layers import NOISES, InputCorruption
from .._utils._data import (
    check_unit_interval,
    shuffled_split,
    validate_samples,
    validate_target,
)
from .._utils._losses import LOSSES, elementwise_error
from .._utils._params import (
    Boolean,
    Constant,
    Interval,
    Options,
    RandomState,
    Satisfies,
    check_params,
)
from .._utils._seeding import draw_seed, keras_seed, seed_keras
from .._utils._sources import is_out_of_core
from .._utils._state import restored_on_failure
from ._out_of_core import TrainingStream, code_blocks, has_target, inference_blocks

# Rows per prediction call: large batches keep the per-call overhead small.
PREDICTION_BATCH_SIZE = 4096


def _is_keras_activation(value) -> bool:
    return isinstance(value, str) and keras.activations.get(value) is not None


def _is_keras_optimizer(value) -> bool:
    return isinstance(value, str) and keras.optimizers.get(value) is not None


def _is_callback_list(value) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(c, keras.callbacks.Callback) for c in value
    )


# How the learning rate moves over the epochs of one call of fit.
SCHEDULES = ("constant", "cosine")

KERAS_ACTIVATION = Satisfies(
    _is_keras_activation, "a Keras activation name such as 'relu' or 'linear'"
)


class BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class for skae autoencoders. Not to be used directly.

    A subclass stores its parameters in ``__init__``, declares the ones it adds
    in ``_parameter_specs`` and implements :meth:`_build_encoder` and
    :meth:`_build_decoder`. Everything else (validation, input layouts, noise,
    seeding, compiling, training, early stopping, history, scoring,
    persistence) lives here, once. See ``docs/design.md`` for the contract and
    the hooks.
    """

    # Whether TensorFlow's XLA may speed this architecture's training up (see
    # uses_xla); an architecture whose layers XLA slows sets it False.
    _xla_pays = True

    # Whether the network is convolutional over images: the outlier detector
    # then leaves its input unscaled (see ReconstructionOutlierDetector).
    _takes_images = False

    _parameter_specs = {
        "n_components": Interval(1, integer=True),
        "output_activation": (Constant("auto"), KERAS_ACTIVATION),
        "loss": Options(LOSSES),
        "optimizer": Satisfies(
            _is_keras_optimizer, "the name of a Keras optimizer such as 'adam'"
        ),
        "learning_rate": Interval(0, closed="neither"),
        "learning_rate_schedule": Options(SCHEDULES),
        "batch_size": Interval(1, integer=True),
        "epochs": Interval(1, integer=True),
        "early_stopping": Boolean(),
        "validation_fraction": Interval(0, 1, closed="left"),
        "n_iter_no_change": Interval(1, integer=True),
        "tol": Interval(0),
        "noise": (Constant(None), Options(NOISES)),
        "noise_level": Interval(0),
        "random_state": RandomState(),
        "verbose": Satisfies(
            lambda v: v in (0, 1, 2) and not isinstance(v, (bool, np.bool_)),
            "0, 1 or 2",
        ),
        "warm_start": Boolean(),
        "callbacks": (
            Constant(None),
            Satisfies(_is_callback_list, "a list of Keras callbacks"),
        ),
    }

    # ------------------------------------------------------------------ hooks

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        """Return the encoder for samples of ``input_shape`` (no batch axis).

        Its first output is the code that :meth:`transform` returns; it may
        have more (a VAE's log-variance), which :meth:`_latent` receives.
        """
        raise NotImplementedError

    def _build_decoder(
        self, latent_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        """Return the decoder from latents of ``latent_shape`` to ``output_shape``."""
        raise NotImplementedError

    def _latent(self, encoded):
        """Return the decoder's input from the encoder's output(s).

        The slot between encoder and decoder: the identity on the code here; a
        VAE draws its sample (and adds its KL term) here.
        """
        return encoded[0] if isinstance(encoded, (list, tuple)) else encoded

    def _initialize_weights(self, X: np.ndarray) -> bool:
        """Set initial weights from the training inputs ``X`` (network layout).

        Called once per new network, after it is built and before training.
        Returns whether it set any: then, with early stopping, training must
        beat the starting weights' validation loss or they are kept. Nothing
        by default; the dense architecture's ``"auto"`` networks start at PCA.
        """
        return False

    def _validation_loss(self, validation, model: keras.Model | None) -> float:
        """The compiled loss of the current weights on the validation data
        (a list of arrays, or a Keras ``PyDataset``), computed as the training
        loop computes each epoch's ``val_loss``: by the epoch loop's ``model``
        (the trainer) when there is one, else by Keras' ``evaluate``."""
        if model is not None:
            return mean_loss(model, tuple(validation))
        if isinstance(validation, keras.utils.PyDataset):
            with surfaced_errors(validation):
                loss = self.model_.evaluate(validation, verbose=0, return_dict=True)
            return float(loss["loss"])
        loss = self.model_.evaluate(
            *validation, batch_size=self.batch_size, verbose=0, return_dict=True
        )["loss"]
        return float(loss)

    def _network_input_shape(self, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Return the shape the network takes for samples given as ``sample_shape``.

        Flat vectors here; convolutional and sequence models keep or restore
        their axes.
        """
        return (math.prod(sample_shape),)

    def _keras_loss(self):
        """Return the loss Keras trains with (a name or a callable)."""
        return KERAS_LOSSES[self.loss]

    def _check_params(self) -> None:
        """Check what the specifications cannot: rules between parameters."""
        if self.noise in ("mask", "salt_and_pepper") and not self.noise_level < 1:
            raise ValueError(
                f"noise_level must be in [0, 1) for noise={self.noise!r} (the "
                f"fraction of inputs changed), got {self.noise_level!r}."
            )
        if self.early_stopping and self.validation_fraction == 0:
            raise ValueError(
                "validation_fraction=0 leaves no data for early stopping; set "
                "validation_fraction > 0 or early_stopping=False."
            )

    # --------------------------------------------------------------- settings

    @property
    def _output_activation(self) -> str:
        if self.output_activation == "auto":
            return "sigmoid" if self.loss == "binary_crossentropy" else "linear"
        return self.output_activation

    # -------------------------------------------------------------- fitting

    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X`` (or a clean target ``y``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Training data: flat vectors, or images and sequences with their
            axes. An out-of-core source streams (see Notes).
        y : array-like of the shape of X, or None, default=None
            A clean target (``fit(X_noisy, X_clean)``): used only when it has
            exactly the shape of ``X``. Anything else, such as class labels
            passed by a Pipeline, is ignored. With a streamed ``X``, a target
            is read by the same row indices; a ``keras.utils.PyDataset``
            carries its target in ``(x, y)`` batches and ``y`` is ignored.

        Returns
        -------
        self : object
            The fitted estimator.

        Notes
        -----
        A NumPy ``np.memmap``, an ``h5py.Dataset``, a ``zarr.Array`` or a
        ``keras.utils.PyDataset`` (batches ``x``, ``(x,)`` or ``(x, y)``) is
        never loaded whole: it is read once in order, to check its values and
        find their range, then in batches of ``batch_size`` rows read by
        sorted index, reshuffled each epoch. The validation split is made of
        row indices (the rows held out in memory for the same
        ``random_state``); a ``PyDataset`` is split by batch instead:
        ``validation_fraction`` of its batches, at least one, chosen at
        random. The dense ``"auto"`` network starts at PCA of a random sample
        of at most 5,000 training rows (fewer for samples of more than 419
        values: at most 2**21 values). Memory is bounded by a batch, blocks
        of about a million values, the model, and one 4-byte index per row;
        results are reproducible for an int ``random_state`` but differ from
        a fit on the same data in memory, whose batches Keras draws.
        """
        return self._guarded_fit(X, y, incremental=False)

    def partial_fit(self, X, y=None):
        """Train for one more epoch on ``X``, with no validation split.

        The first call builds the networks; later calls continue training them
        and their optimizer state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Training data; an out-of-core source streams, as in :meth:`fit`.
        y : array-like of the shape of X, or None, default=None
            A clean target, as in :meth:`fit`.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._guarded_fit(X, y, incremental=True)

    def _guarded_fit(self, X, y, *, incremental: bool):
        # A failed fit leaves the estimator as it was before the call.
        with restored_on_failure(self), copy_keyword_warning_hidden():
            self._fit(X, y, incremental=incremental)
        return self

    def _fit(self, X, y, *, incremental: bool) -> None:
        check_params(self)
        self._check_params()
        continuing = (incremental or self.warm_start) and self.__sklearn_is_fitted__()
        if is_out_of_core(X):
            self._fit_stream(X, y, incremental=incremental, continuing=continuing)
            return
        X = validate_samples(self, X, reset=not continuing, ensure_min_samples=2)
        target = validate_target(y, X)
        if self.loss == "binary_crossentropy":
            check_unit_interval(X if target is None else target, "the target")
        network_shape = self._network_input_shape(X.shape[1:])
        arrays = [
            a.reshape((len(a), *network_shape)) for a in (X, target) if a is not None
        ]
        seed = draw_seed(self.random_state)
        with keras_seed(seed):
            if not continuing:
                value_range = (float(X.min()), float(X.max()))
                self._initialize_networks(network_shape, value_range)
            validating = self.early_stopping and not incremental
            if validating:
                train, validation = shuffled_split(
                    arrays, self.validation_fraction, seed
                )
            else:
                train, validation = arrays, None
            shards = batch_shards()
            if shards > 1:
                # A distribution splits every batch over its devices: the
                # parts are padded with repeated rows so that each splits.
                self._check_batch_splits(shards)
                rng = np.random.default_rng(seed)
                train = pad_rows(train, shards, rng)
                if validation is not None:
                    validation = pad_rows(validation, shards, rng)
            starts_from_data = not continuing and self._initialize_weights(train[0])
            del X, target, arrays
            history, monitor = self._train(
                train,
                validation,
                incremental=incremental,
                starts_from_data=starts_from_data,
                n_samples=len(train[0]),
                seed=seed,
            )
            if starts_from_data and monitor.best_epoch == -1:
                # No epoch beat the start: keep it, but from every row given,
                # the start a user would compare with (PCA of all of X).
                self._initialize_weights(np.concatenate([train[0], validation[0]]))
        self._record(history, monitor)

    def _fit_stream(self, X, y, *, incremental: bool, continuing: bool) -> None:
        """The fit loop on an out-of-core source: the same steps, by index.

        The source is read once in order (validation and range), then in
        batches by index: the validation split, the per-epoch shuffle and the
        sample of :meth:`_initialize_weights` are index arrays.
        """
        shards = batch_shards()
        if shards > 1:
            # Each batch is padded with repeats of its own rows to split.
            self._check_batch_splits(shards)
        stream = TrainingStream(
            self,
            X,
            y,
            reset=not continuing,
            unit_interval=self.loss == "binary_crossentropy",
        )
        seed = draw_seed(self.random_state)
        with keras_seed(seed):
            if not continuing:
                self._initialize_networks(stream.network_shape, stream.value_range)
            validating = self.early_stopping and not incremental
            if validating:
                train_units, validation_units = stream.split(
                    self.validation_fraction, seed
                )
                validation = stream.batches(
                    validation_units, self.batch_size, pad_to=shards
                )
            else:
                train_units, validation = stream.all_units(), None
            # Independent streams for the training order and the sample.
            shuffle_seed, sample_seed = np.random.SeedSequence(seed).generate_state(2)
            n_train = stream.n_rows(train_units)
            train = stream.batches(
                train_units, self.batch_size, int(shuffle_seed), pad_to=shards
            )
            try:
                # Only an architecture that starts from the data reads a sample.
                starts_from_data = (
                    not continuing
                    and type(self)._initialize_weights
                    is not BaseAutoencoder._initialize_weights
                    and self._initialize_weights(
                        stream.initial_sample(train_units, int(sample_seed))
                    )
                )
                del train_units
                history, monitor = self._train(
                    train,
                    validation,
                    incremental=incremental,
                    starts_from_data=starts_from_data,
                    n_samples=n_train,
                    seed=seed,
                )
                if starts_from_data and monitor.best_epoch == -1:
                    self._initialize_weights(
                        stream.initial_sample(stream.all_units(), int(sample_seed))
                    )
            finally:
                for dataset in (train, validation):
                    if dataset is not None:
                        dataset.close()
        self._record(history, monitor)

    def _monitor(
        self, validating: bool, incremental: bool, baseline
    ) -> TrainingMonitor:
        return TrainingMonitor(
            monitor="val_loss" if validating else "loss",
            patience=math.inf if incremental else self.n_iter_no_change,
            tol=self.tol,
            restore_best=validating,
            baseline=baseline,
        )

    def _initialize_networks(
        self,
        input_shape: tuple[int, ...],
        value_range: tuple[float, float],
    ) -> None:
        inputs = keras.Input(input_shape, name="input")
        corrupted = inputs
        if self.noise is not None:
            corruption = InputCorruption(
                self.noise, self.noise_level, value_range=value_range, name="corruption"
            )
            corrupted = corruption(inputs)
        encoder = self._build_encoder(input_shape)
        latent = self._latent(encoder(corrupted))
        decoder = self._build_decoder(tuple(latent.shape[1:]), input_shape)
        model = AutoencoderModel(inputs, decoder(latent), name="autoencoder")
        self.model_, self.encoder_, self.decoder_ = model, encoder, decoder
        optimizer = make_optimizer(self.optimizer, self.learning_rate)
        self._compile(optimizer)
        # Built now, so that the training monitor can restore its state. The
        # model's optimizer, not ``optimizer``: under a mixed-precision policy
        # Keras wraps it in a LossScaleOptimizer, whose own state must exist too.
        model.optimizer.build(model.trainable_variables)
        self.history_ = {}
        self.n_iter_ = 0

    def _compile(
        self, optimizer, *, epoch_loop: bool = False, xla: bool | None = None
    ) -> None:
        """Compile the estimator's model: with ``xla`` for a training run,
        else as it rests between fits (XLA on JAX only), so that its
        predictions never depend on the data it was trained on."""
        compile_model(
            self.model_,
            optimizer,
            self._keras_loss(),
            0,
            xla_pays=self._xla_pays,
            epoch_batch_size=self.batch_size if epoch_loop else None,
            xla=xla,
        )

    def _training_xla(
        self, n_rows: int, *, epoch_loop: bool, incremental: bool
    ) -> bool:
        """Whether this training run compiles with XLA (``uses_xla``): from
        the training rows and, in the epoch loop, the steps the fit plans."""
        planned_steps = None  # a partial_fit's steps are unknown
        if epoch_loop and not incremental:
            planned_steps = self.epochs * math.ceil(n_rows / self.batch_size)
        return uses_xla(
            self.model_,
            n_rows,
            xla_pays=self._xla_pays,
            epoch_batch_size=self.batch_size if epoch_loop else None,
            planned_steps=planned_steps,
        )

    @contextlib.contextmanager
    def _compiled_for_training(self, xla: bool):
        """The estimator's own model for an epoch-loop run that user
        callbacks watch: compiled with ``xla`` for the block, and as it rests
        between fits (without XLA on TensorFlow) after it."""
        optimizer = self.model_.optimizer
        self._compile(optimizer, epoch_loop=True, xla=xla)
        try:
            yield self.model_
        finally:
            self._compile(optimizer, epoch_loop=True)

    def _train(
        self,
        train,
        validation,
        *,
        incremental: bool,
        starts_from_data: bool,
        n_samples: int,
        seed: int,
    ) -> tuple[keras.callbacks.History, TrainingMonitor]:
        """Train on ``train`` (a list of arrays, or a Keras ``PyDataset``),
        validating on ``validation`` (the same kind, or None).

        Small in-memory data on TensorFlow and JAX go through the epoch loop
        of one compiled call per epoch (``_keras/_epoch_loop.py``), the rest
        through Keras' ``fit``. ``starts_from_data``: the weights were set
        from the data, and an epoch must beat their validation loss to
        replace them. Returns the history and the training monitor.
        """
        # TensorFlow's gradient registry would keep the traced steps' graphs.
        with gradient_registrations_released():
            in_memory = not isinstance(train, keras.utils.PyDataset)
            epoch_loop = in_memory and runs_epoch_loop(
                len(train[0]), sum(a.nbytes for a in train)
            )
            xla = self._training_xla(
                n_samples, epoch_loop=epoch_loop, incremental=incremental
            )
            if not epoch_loop:
                # Keras' fit trains the estimator's model, which keeps this
                # compile between fits, so that partial_fit traces nothing.
                self._compile(self.model_.optimizer, xla=xla)
                trainer = contextlib.nullcontext(self.model_)
            elif not self.callbacks:
                # Steps compiled for an earlier model of this structure; the
                # estimator's model rests without XLA on TensorFlow.
                self._compile(self.model_.optimizer, epoch_loop=True)
                trainer = trainer_for(
                    self.model_, self._keras_loss(), len(train[0]), xla=xla
                )
            else:
                trainer = self._compiled_for_training(xla)
            with trainer as model:
                return self._run_epochs(
                    model,
                    train,
                    validation,
                    epoch_loop=epoch_loop,
                    incremental=incremental,
                    starts_from_data=starts_from_data,
                    seed=seed,
                )

    def _run_epochs(
        self,
        model: keras.Model,
        train,
        validation,
        *,
        epoch_loop: bool,
        incremental: bool,
        starts_from_data: bool,
        seed: int,
    ) -> tuple[keras.callbacks.History, TrainingMonitor]:
        """Train ``model`` (the estimator's, or a trainer holding its state)
        for one ``fit`` or ``partial_fit`` call; the arguments as ``_train``'s."""
        baseline = None
        if starts_from_data and validation is not None:
            # Weights that start from the data (PCA) are a result already,
            # measured as the epochs will be, after the compile they use.
            baseline = self._validation_loss(validation, model if epoch_loop else None)
        monitor = self._monitor(validation is not None, incremental, baseline)
        epochs = 1 if incremental else self.epochs
        # Every call starts at learning_rate (a schedule may have lowered it).
        model.optimizer.learning_rate.assign(self.learning_rate)
        schedule = []
        if self.learning_rate_schedule == "cosine" and epochs > 1:
            schedule = [CosineDecay(epochs, initial_epoch=self.n_iter_)]
        # What both loops take alike.
        run = {
            "epochs": self.n_iter_ + epochs,
            "initial_epoch": self.n_iter_,
            "callbacks": [monitor, *schedule, *(self.callbacks or [])],
            "verbose": self.verbose,
        }
        if epoch_loop:
            epochs_per_call = 1
            if validation is None and not run["callbacks"][1:] and not self.verbose:
                # Only the monitor, reading the training loss, sees the epochs.
                epochs_per_call = multi_epoch_calls(
                    sum(a.nbytes for a in train), monitor.patience
                )
            history = train_epochs(
                model,
                tuple(train),
                None if validation is None else tuple(validation),
                seed=seed,
                epochs_per_call=epochs_per_call,
                epochs_before_stop=monitor.epochs_before_stop,
                **run,
            )
            return history, monitor
        if isinstance(train, keras.utils.PyDataset):
            # The dataset batches and shuffles by itself.
            data, options = (train,), {"shuffle": False}
        else:
            data = tuple(train)
            options = {"batch_size": self.batch_size, "shuffle": True}
            validation = None if validation is None else tuple(validation)
        if keras.backend.backend() == "tensorflow":
            # Keras' fit shuffles with TensorFlow's global seed.
            seed_keras(seed, tensorflow=True)
        with surfaced_errors(train, validation):
            history = model.fit(*data, validation_data=validation, **run, **options)
        return history, monitor

    def _record(self, history, monitor: TrainingMonitor) -> None:
        epochs_before = self.n_iter_
        # New lists in a new dict: a fit that fails after this leaves the old ones.
        merged = {key: list(values) for key, values in self.history_.items()}
        for key, values in history.history.items():
            merged.setdefault(key, []).extend(float(v) for v in values)
        self.history_ = merged
        self.n_iter_ = epochs_before + len(history.history.get("loss", []))
        self.loss_curve_ = self.history_.get("loss", [])
        self.validation_loss_curve_ = self.history_.get("val_loss", [])
        if monitor.diverged_epoch is not None:
            message = (
                f"{type(self).__name__}: the training loss became NaN or infinite "
                f"in epoch {monitor.diverged_epoch + 1}. Lower "
                "learning_rate, scale the input, or use another optimizer."
            )
            if monitor.restored_epoch is None:
                raise FloatingPointError(
                    message + " No epoch finished with a finite loss."
                )
            warnings.warn(
                message + f" Kept the weights of epoch {monitor.restored_epoch + 1}.",
                ConvergenceWarning,
                stacklevel=5,
            )
        if monitor.best_epoch is not None:
            self.best_loss_ = monitor.best
            # The monitor counts epochs as fit does, across warm starts.
            self.best_epoch_ = monitor.best_epoch + 1

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    # ---------------------------------------------------------- inference

    def _validate_input(self, X) -> np.ndarray:
        """Return ``X`` validated, in the network's layout."""
        check_is_fitted(self)
        X = validate_samples(self, X, reset=False)
        return X.reshape((len(X), *self._network_shape))

    def _over_blocks(self, X, compute, *, unit_interval: bool = False):
        """Return ``compute`` of ``X`` validated, in the network's layout.

        In-memory data are validated and computed at once. An out-of-core
        source is read in consecutive blocks (each checked: finite, and in
        [0, 1] with ``unit_interval``) of a multiple of the prediction batch,
        so that the network sees the same batches as in memory; the outputs
        are concatenated in memory.
        """
        if not is_out_of_core(X):
            return compute(self._validate_input(X))
        check_is_fitted(self)
        blocks = inference_blocks(
            self, X, multiple=PREDICTION_BATCH_SIZE, unit_interval=unit_interval
        )
        return np.concatenate([compute(x) for x, _ in blocks])

    @property
    def _network_shape(self) -> tuple[int, ...]:
        return tuple(self.model_.input_shape[1:])

    @property
    def _latent_shape(self) -> tuple[int, ...]:
        return tuple(self.decoder_.input_shape[1:])

    def _to_fitted_layout(self, outputs: np.ndarray) -> np.ndarray:
        return outputs.reshape((outputs.shape[0], *self.input_shape_))

    def _check_batch_splits(self, shards: int) -> None:
        if self.batch_size % shards:
            raise ValueError(
                f"batch_size={self.batch_size} must be a multiple of the {shards} "
                "devices that the active Keras distribution splits each batch over."
            )

    @staticmethod
    def _predict_with(model: keras.Model, X: np.ndarray):
        def predict(rows):
            return predict_in_batches(model, rows, PREDICTION_BATCH_SIZE)

        return predict_in_shards(predict, X, batch_shards())

    def transform(self, X) -> np.ndarray:
        """Encode ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data to encode, in the layout fitted or flat. An out-of-core
            source (``np.memmap``, ``h5py.Dataset``, ``zarr.Array``,
            ``keras.utils.PyDataset``) is read in blocks; the codes are
            returned in memory.

        Returns
        -------
        ndarray of float32, shape (n_samples, n_components)
            The codes, always 2-D (a feature map is flattened).
        """
        return self._over_blocks(X, self._encode)

    def _encode(self, X: np.ndarray) -> np.ndarray:
        encoded = self._predict_with(self.encoder_, X)
        codes = encoded[0] if isinstance(encoded, (list, tuple)) else encoded
        return codes.reshape(codes.shape[0], -1)

    def inverse_transform(self, X) -> np.ndarray:
        """Decode codes back to data space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`; an out-of-core source of
            codes is read in blocks.

        Returns
        -------
        ndarray of float32, shape ``(n_samples, *input_shape_)``
            The decoded data, in the layout the estimator was fitted on (in
            memory).
        """
        check_is_fitted(self)
        expected = math.prod(self._latent_shape)
        if is_out_of_core(X):
            blocks = code_blocks(
                X, expected, multiple=PREDICTION_BATCH_SIZE, name=type(self).__name__
            )
            return np.concatenate([self._decode(codes) for codes in blocks])
        codes = check_array(X, dtype=np.float32, order="C")
        if codes.shape[1] != expected:
            raise ValueError(
                f"X has {codes.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform is expecting {expected} code features as input."
            )
        return self._decode(codes)

    def _decode(self, codes: np.ndarray) -> np.ndarray:
        decoded = self._predict_with(
            self.decoder_, codes.reshape((-1, *self._latent_shape))
        )
        return self._to_fitted_layout(decoded)

    def predict(self, X) -> np.ndarray:
        """Reconstruct ``X`` (encode, then decode).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data to reconstruct; an out-of-core source is read in blocks.

        Returns
        -------
        ndarray of float32, shape ``(n_samples, *input_shape_)``
            The reconstruction, in the layout the estimator was fitted on (in
            memory).
        """
        return self._over_blocks(
            X, lambda rows: self._to_fitted_layout(self._reconstruct(rows))
        )

    def _reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Reconstruct validated data in the network's layout."""
        return self._predict_with(self.model_, X)

    def reconstruction_error(self, X, per_feature: bool = False) -> np.ndarray:
        """Return the reconstruction loss of each sample, or of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data to reconstruct; an out-of-core source is read in blocks.
        per_feature : bool, default=False
            If True, return the loss of every value of every sample (every
            feature, pixel or time step), to see what is hard to reconstruct.

        Returns
        -------
        ndarray of float64, shape ``(n_samples,)`` or ``(n_samples, *input_shape_)``
            The per-sample mean of the loss over all values (the training loss
            without regularisation terms), or the loss of each value in the
            layout fitted.
        """

        def errors_of(rows: np.ndarray) -> np.ndarray:
            errors = elementwise_error(rows, self._reconstruct(rows), self.loss)
            if per_feature:
                return self._to_fitted_layout(errors)
            return errors.reshape(len(errors), -1).mean(axis=1)

        return self._over_blocks(X, errors_of)

    def score_samples(self, X) -> np.ndarray:
        """Return minus the reconstruction loss of each sample (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data to score; an out-of-core source is read in blocks.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        return -self.reconstruction_error(X)

    def score(self, X, y=None) -> float:
        """Return the mean of :meth:`score_samples`, or the score against a target.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data to score; an out-of-core source is read in blocks.
        y : array-like of the shape of X, or None, default=None
            A clean target, as in :meth:`fit`: then the score is minus the mean
            loss of ``predict(X)`` against ``y`` (how well noisy ``X`` is
            denoised), so a grid search over ``fit(X_noisy, X_clean)`` is
            judged on denoising. Any other ``y`` is ignored. For a
            ``keras.utils.PyDataset``, the target comes in its ``(x, y)``
            batches.

        Returns
        -------
        float
        """
        if is_out_of_core(X):
            return self._score_stream(X, y)
        target = validate_target(y, np.asarray(X)) if y is not None else None
        if target is None:
            return float(np.mean(self.score_samples(X)))
        X = self._validate_input(X)
        target = target.reshape(X.shape)
        errors = elementwise_error(target, self._reconstruct(X), self.loss)
        return -float(errors.mean())

    def _score_stream(self, X, y) -> float:
        check_is_fitted(self)
        if not has_target(X, y):
            return float(np.mean(self.score_samples(X)))
        total, count = 0.0, 0
        blocks = inference_blocks(self, X, multiple=PREDICTION_BATCH_SIZE, y=y)
        for rows, target in blocks:
            if target is None:
                raise ValueError(
                    "Some batches of the PyDataset carry a clean target and some "
                    "do not; score needs one in every batch or in none."
                )
            errors = elementwise_error(target, self._reconstruct(rows), self.loss)
            total += float(errors.sum())
            count += errors.size
        return -total / count

    @property
    def _n_features_out(self) -> int:
        return math.prod(self._latent_shape)

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
        _persistence.save(self, path)

    def _attach_networks(self, model: keras.Model) -> None:
        self.model_ = model
        self.encoder_ = model.get_layer("encoder")
        self.decoder_ = model.get_layer("decoder")
        # Re-compile for this process's backend, keeping the optimizer state.
        self._compile(model.optimizer)

    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            state = dict(state)
            state["model_"] = _persistence.model_to_bytes(state["model_"])
            del state["encoder_"], state["decoder_"]
        return state

    def __setstate__(self, state):
        state = dict(state)
        model_bytes = state.pop("model_", None)
        super().__setstate__(state)
        if model_bytes is not None:
            # Estimators pickled before skae 0.2 knew only flat input.
            self.__dict__.setdefault("input_shape_", (self.n_features_in_,))
            self._attach_networks(_persistence.model_from_bytes(model_bytes))
