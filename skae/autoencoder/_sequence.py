"""SequenceAutoencoder: recurrent sequence-to-sequence autoencoder."""

from __future__ import annotations

import math

import keras

from .. import _persistence
from .._keras.networks import RECURRENT_CELLS, sequence_decoder, sequence_encoder
from .._utils._params import (
    Constant,
    Interval,
    Options,
    Satisfies,
    as_layer_sizes,
)
from ._base import KERAS_ACTIVATION, BaseAutoencoder
from ._docs import fill_doc


def is_sequence_shape(value) -> bool:
    return (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(Interval(1, integer=True).accepts(v) for v in value)
    )


def is_units(value) -> bool:
    try:
        return len(as_layer_sizes(value)) >= 1
    except (TypeError, ValueError):
        return False


def sequence_network_shape(
    sample_shape: tuple[int, ...], sequence_shape, owner: str
) -> tuple[int, int]:
    """Return the ``(steps, features)`` a recurrent network takes for these samples.

    ``sequence_shape`` when given (its size must match); else sequences as they
    are; flat samples of ``d`` values as univariate sequences of ``d`` steps.
    """
    n_values = math.prod(sample_shape)
    if sequence_shape is not None:
        shape = tuple(int(v) for v in sequence_shape)
        if math.prod(shape) != n_values:
            raise ValueError(
                f"sequence_shape={tuple(sequence_shape)} holds {math.prod(shape)} "
                f"values, but each sample of X has {n_values}."
            )
        return shape
    if len(sample_shape) == 2:
        return tuple(sample_shape)
    if len(sample_shape) == 1:
        return (n_values, 1)
    raise ValueError(
        f"{owner} takes sequences (n, steps, features), or flat 2-D input; got "
        f"samples of shape {sample_shape}."
    )


@_persistence.register
@fill_doc(noise_default="None", batch_size_default="64")
class SequenceAutoencoder(BaseAutoencoder):
    """Sequence-to-sequence autoencoder with recurrent (LSTM or GRU) layers.

    The encoder reads a sequence with one recurrent layer per entry of
    ``units`` and maps the last layer's final state to a code of
    ``n_components`` values; the decoder repeats the code once per time step,
    unrolls it with the recurrent layers in reverse order, and a Dense layer
    at every step gives back the features. For windows of a long series, see
    :class:`~skae.timeseries.SlidingWindows` and
    :class:`~skae.timeseries.TimeSeriesOutlierDetector`.

    Sequences come as ``(n, steps, features)``, or flat ``(n, steps *
    features)`` (time-major: the features of step 0, then of step 1, ...)
    with ``sequence_shape``. Flat input without ``sequence_shape`` is read as
    univariate sequences, one step per column, so Pipelines of tables work
    too.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code.
    sequence_shape : tuple (steps, features) or None, default=None
        The shape of one sequence when the input is flat 2-D (or to read
        other input as sequences of this shape). None infers it from the
        input, as described above.
    cell : {"lstm", "gru"}, default="lstm"
        The recurrent layer.
    units : tuple of int, default=(64,)
        Widths of the encoder's recurrent layers, from input to code; the
        decoder mirrors them.
    code_activation : str, default="linear"
        Activation of the code layer.
    {output_and_loss_parameters}
    {training_parameters}
    {noise_parameters}
    {run_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    DenseAutoencoder : A fully connected autoencoder; on short windows often
        as good and faster.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import SequenceAutoencoder
    >>> t = np.linspace(0, 20, 2000)
    >>> waves = np.stack([np.sin(t + phase) for phase in np.linspace(0, 3, 64)])
    >>> X = waves[:, :400:10, None]                # 64 sequences, 40 steps, 1 feature
    >>> ae = SequenceAutoencoder(4, units=(16,), epochs=3, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (64, 4)
    >>> ae.predict(X).shape
    (64, 40, 1)
    """

    _parameter_specs = {
        "n_components": Interval(1, integer=True),
        "sequence_shape": (
            Constant(None),
            Satisfies(is_sequence_shape, "a tuple (steps, features) of positive ints"),
        ),
        "cell": Options(tuple(RECURRENT_CELLS)),
        "units": Satisfies(is_units, "a non-empty sequence of positive ints"),
        "code_activation": KERAS_ACTIVATION,
    }

    def __init__(
        self,
        n_components: int = 16,
        *,
        sequence_shape=None,
        cell: str = "lstm",
        units=(64,),
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
        noise: str | None = None,
        noise_level: float = 0.5,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        callbacks=None,
    ):
        self.n_components = n_components
        self.sequence_shape = sequence_shape
        self.cell = cell
        self.units = units
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
        self.noise = noise
        self.noise_level = noise_level
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks

    def _network_input_shape(self, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        return sequence_network_shape(
            sample_shape, self.sequence_shape, type(self).__name__
        )

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        return sequence_encoder(
            input_shape,
            cell=self.cell,
            units=as_layer_sizes(self.units),
            n_components=self.n_components,
            code_activation=self.code_activation,
        )

    def _build_decoder(
        self, latent_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        return sequence_decoder(
            latent_shape[0],
            output_shape,
            cell=self.cell,
            units=as_layer_sizes(self.units),
            output_activation=self._output_activation,
        )
