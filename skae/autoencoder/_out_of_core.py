"""Out-of-core data for the fit loop and the inference methods of BaseAutoencoder.

``fit`` on a source (:func:`skae._utils._sources.is_out_of_core`) reads it once
in order to validate it (layout, finite values, [0, 1] for binary
cross-entropy) and to find its range, then trains from Keras ``PyDataset``
batches read by index: the validation split, the per-epoch shuffling and the
sample that starts the dense network at PCA are index arrays, never copies of
the data. Inference reads the source in consecutive blocks.
"""

from __future__ import annotations

import math

import numpy as np

from .._keras._batches import IndexedBatches
from .._utils._data import _ndim, validation_size
from .._utils._sources import (
    ArraySource,
    BatchSource,
    block_rows,
    check_array_source,
    check_block,
    check_numeric,
    check_rows,
    check_sample_shape,
    is_array_source,
    is_batch_source,
)

# The sample handed to _initialize_weights (the PCA start of the dense network)
# is a seeded random draw of at most this many training rows...
INITIAL_SAMPLE_ROWS = 5_000
# ... and of at most this many values (8 MiB as float32) for wide samples, but
# never fewer than this many rows.
INITIAL_SAMPLE_VALUES = 2**21
INITIAL_SAMPLE_MIN_ROWS = 256
# Validation batches of an array hold at least this many values (1 MiB).
VALIDATION_BATCH_VALUES = 2**18


def _index_dtype(n: int):
    """The smallest index type for ``n`` rows: 4 bytes per row below 2**31."""
    return np.int32 if n < 2**31 else np.int64


def _target_source(y, source: ArraySource) -> ArraySource | None:
    """``y`` as a source when it is a clean target for ``source``, else None."""
    if y is None or _ndim(y) < 2 or tuple(np.shape(y)) != source.shape:
        return None
    if not (is_array_source(y) or isinstance(y, np.ndarray)):
        y = np.asarray(y)
    target = ArraySource(y, what="the target")
    check_numeric(target.dtype, "the target")
    return target


class TrainingStream:
    """An out-of-core ``X`` (and clean target), validated for ``fit``.

    Parameters
    ----------
    estimator : BaseAutoencoder
        Gets ``input_shape_`` and ``n_features_in_`` when ``reset``.
    X : np.memmap, h5py.Dataset, zarr.Array or keras.utils.PyDataset
        The training data.
    y : array-like or None
        A clean target of the shape of an array ``X`` (read by the same
        indices); ignored otherwise, and for a ``PyDataset``, whose batches
        carry their target as ``(x, y)``.
    reset : bool
        True in a fresh fit.
    unit_interval : bool
        Refuse target values outside [0, 1] (binary cross-entropy).

    Attributes
    ----------
    sample_shape : tuple of int
        One sample's shape as given.
    n_samples : int
        Rows in the source.
    value_range : tuple of float
        The minimum and maximum of ``X`` (as float32).
    """

    def __init__(self, estimator, X, y, *, reset: bool, unit_interval: bool):
        self._estimator = estimator
        self._unit_interval = unit_interval
        if is_batch_source(X):
            self._batches = BatchSource(X)
            self._scan_batches(reset)
        else:
            self._batches = None
            self._x = ArraySource(X)
            check_array_source(estimator, self._x, reset=reset, min_rows=2)
            self._y = _target_source(y, self._x)
            self.sample_shape = self._x.sample_shape
            self.n_samples = len(self._x)
            self._scan_arrays()
        self.network_shape = tuple(estimator._network_input_shape(self.sample_shape))

    # ---------------------------------------------------------- validation

    def _scan_arrays(self) -> None:
        low, high = math.inf, -math.inf
        rows = block_rows(self.sample_shape)
        for start, x in self._x.blocks(rows):
            x_unit = self._unit_interval and self._y is None
            check_block(x, start, "X", unit_interval=x_unit)
            if self._y is not None:
                target = self._y.read(start, start + len(x))
                check_block(
                    target, start, "the target", unit_interval=self._unit_interval
                )
            low, high = min(low, float(x.min())), max(high, float(x.max()))
        self.value_range = (low, high)

    def _scan_batches(self, reset: bool) -> None:
        low, high = math.inf, -math.inf
        sizes = np.empty(self._batches.n_batches, dtype=np.int64)
        for index in range(self._batches.n_batches):
            x, y = self._batches.batch(index)
            if index == 0:
                self.sample_shape = x.shape[1:]
                self._has_target = y is not None
                check_sample_shape(self._estimator, self.sample_shape, reset=reset)
            self._check_batch(index, x, y)
            sizes[index] = len(x)
            low, high = min(low, float(x.min())), max(high, float(x.max()))
        self._sizes = sizes
        self.n_samples = int(sizes.sum())
        check_rows(self.n_samples, (self.n_samples, *self.sample_shape), 2)
        self.value_range = (low, high)

    def _check_batch(self, index: int, x: np.ndarray, y) -> None:
        if x.shape[1:] != self.sample_shape:
            raise ValueError(
                f"Batch {index} of the PyDataset has samples of shape "
                f"{x.shape[1:]}, but batch 0 has samples of shape "
                f"{self.sample_shape}."
            )
        if (y is not None) != self._has_target:
            raise ValueError(
                f"Batch {index} of the PyDataset "
                + ("has no" if self._has_target else "has a")
                + " clean target (y of the shape of x), but batch 0 "
                + ("has one." if self._has_target else "has none.")
            )
        where = f"(batch {index} of the PyDataset)"
        check_block(x, 0, f"X {where}", unit_interval=self._unit_interval and y is None)
        if y is not None:
            check_block(y, 0, f"the target {where}", unit_interval=self._unit_interval)

    # ------------------------------------------------------------ indices

    @property
    def _n_units(self) -> int:
        return self.n_samples if self._batches is None else self._batches.n_batches

    def all_units(self) -> np.ndarray:
        """Every row (of an array) or batch (of a PyDataset), as indices."""
        return np.arange(self._n_units, dtype=_index_dtype(self._n_units))

    def split(self, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (train, validation) indices: the in-memory path's split.

        Rows of an array are split as ``shuffled_split`` splits them (the same
        rows are held out for the same seed); a ``PyDataset`` is split by
        batch, ``fraction`` of its batches (at least one) held out.
        """
        n_units = self._n_units
        n_validation = validation_size(n_units, fraction, self._batches is not None)
        # RandomState.shuffle draws the same as its permutation(n), in place
        # and at 4 bytes per row.
        order = self.all_units()
        np.random.RandomState(seed).shuffle(order)
        return order[n_validation:], np.sort(order[:n_validation])

    def n_rows(self, units: np.ndarray) -> int:
        """Rows in ``units``."""
        return len(units) if self._batches is None else int(self._sizes[units].sum())

    # ------------------------------------------------------------ reading

    def _read_rows(self, indices: np.ndarray) -> tuple:
        arrays = [self._x] if self._y is None else [self._x, self._y]
        return tuple(
            a.take(indices).reshape((len(indices), *self.network_shape)) for a in arrays
        )

    def _read_batch(self, indices: np.ndarray) -> tuple:
        (index,) = indices
        x, y = self._batches.batch(index)
        self._check_batch(int(index), x, y)
        return tuple(
            a.reshape((len(a), *self.network_shape)) for a in (x, y) if a is not None
        )

    def batches(
        self,
        units: np.ndarray,
        batch_size: int,
        seed: int | None = None,
        *,
        pad_to: int = 1,
    ) -> IndexedBatches:
        """A Keras dataset over ``units``: shuffled each epoch when seeded.

        Unshuffled (validation) batches of an array are larger, of about
        ``VALIDATION_BATCH_VALUES`` values (a multiple of ``batch_size``):
        evaluation has no gradient step to size, and fewer batches cost less
        time per row. ``pad_to``: see :class:`IndexedBatches`.
        """
        if self._batches is not None:
            return IndexedBatches(self._read_batch, units, 1, seed, pad_to)
        if seed is None:
            values = math.prod(self.sample_shape)
            batch_size *= max(1, VALIDATION_BATCH_VALUES // values // batch_size)
        return IndexedBatches(self._read_rows, units, batch_size, seed, pad_to)

    def initial_sample(self, units: np.ndarray, seed: int) -> np.ndarray:
        """A seeded random sample of the rows in ``units``, in network layout.

        At most ``INITIAL_SAMPLE_ROWS`` rows and ``INITIAL_SAMPLE_VALUES``
        values (at least ``INITIAL_SAMPLE_MIN_ROWS`` rows); read by sorted
        index, or as whole random batches of a ``PyDataset``.
        """
        values = math.prod(self.network_shape)
        n_rows = min(
            INITIAL_SAMPLE_ROWS,
            max(INITIAL_SAMPLE_MIN_ROWS, INITIAL_SAMPLE_VALUES // values),
        )
        rng = np.random.default_rng(seed)
        if self._batches is None:
            n_rows = min(n_rows, len(units))
            picked = np.sort(units[rng.choice(len(units), n_rows, replace=False)])
            return self._read_rows(picked)[0]
        parts, total = [], 0
        for index in rng.permutation(units):
            if total >= n_rows:
                break
            parts.append(self._read_batch(np.array([index]))[0])
            total += len(parts[-1])
        return np.concatenate(parts)[:n_rows]


def inference_blocks(estimator, X, *, multiple: int, unit_interval=False, y=None):
    """Yield ``(x, target)`` blocks of a source for a fitted estimator.

    ``x`` is float32 in the network's layout, checked (finite; in [0, 1] with
    ``unit_interval``); blocks hold about a million values, a multiple of
    ``multiple`` rows for an array. ``target`` is None unless a clean target
    is read along: ``y`` of an array's shape, or ``(x, y)`` batches.
    """
    network_shape = estimator._network_shape
    if is_batch_source(X):
        yield from _dataset_blocks(estimator, BatchSource(X), multiple, unit_interval)
        return
    source = ArraySource(X)
    check_array_source(estimator, source, reset=False)
    target = _target_source(y, source)
    for start, x in source.blocks(block_rows(source.sample_shape, multiple)):
        check_block(x, start, "X", unit_interval=unit_interval)
        x = x.reshape((len(x), *network_shape))
        if target is None:
            yield x, None
            continue
        t = target.read(start, start + len(x))
        check_block(t, start, "the target")
        yield x, t.reshape(x.shape)


def _dataset_blocks(estimator, source: BatchSource, multiple: int, unit_interval):
    network_shape = estimator._network_shape
    sample_shape = None

    def prepare(index: int, x: np.ndarray, y):
        nonlocal sample_shape
        if sample_shape is None:
            sample_shape = x.shape[1:]
            check_sample_shape(estimator, sample_shape, reset=False)
        elif x.shape[1:] != sample_shape:
            raise ValueError(
                f"Batch {index} of the PyDataset has samples of shape "
                f"{x.shape[1:]}, but batch 0 has samples of shape {sample_shape}."
            )
        where = f"(batch {index} of the PyDataset)"
        check_block(x, 0, f"X {where}", unit_interval=unit_interval)
        x = x.reshape((len(x), *network_shape))
        if y is not None:
            check_block(y, 0, f"the target {where}")
            y = y.reshape(x.shape)
        return x, y

    yield from _gathered(source, prepare, block_rows(network_shape, multiple))


def _gathered(source: BatchSource, prepare, rows: int):
    """Yield ``(x, target)`` blocks of at least ``rows`` rows (but the last),
    gathering consecutive batches of ``source`` prepared by ``prepare``."""
    xs, ts = [], []
    for index in range(source.n_batches):
        x, y = prepare(index, *source.batch(index))
        xs.append(x)
        if y is not None:
            ts.append(y)
        if sum(len(a) for a in xs) >= rows or index == source.n_batches - 1:
            has_target = len(ts) == len(xs)
            yield np.concatenate(xs), (np.concatenate(ts) if has_target else None)
            xs, ts = [], []


def has_target(X, y) -> bool:
    """Whether scoring ``X`` reads a clean target along (``y`` of an array's
    shape, or ``(x, y)`` batches: the first batch decides)."""
    if is_batch_source(X):
        return BatchSource(X).batch(0)[1] is not None
    return _target_source(y, ArraySource(X)) is not None


def code_blocks(X, n_codes: int, *, multiple: int, name: str):
    """Yield float32 blocks of codes ``(n, n_codes)`` from a source, checked.

    ``name`` is the estimator's class name, for the error message.
    """
    if is_batch_source(X):

        def prepare(index: int, codes: np.ndarray, _):
            where = f"X (batch {index} of the PyDataset)"
            return _checked_codes(codes, n_codes, 0, where, name), None

        rows = block_rows((n_codes,), multiple)
        for codes, _ in _gathered(BatchSource(X), prepare, rows):
            yield codes
        return
    source = ArraySource(X)
    check_numeric(source.dtype, "X")
    check_rows(len(source), source.shape, 1)
    for start, codes in source.blocks(block_rows((n_codes,), multiple)):
        yield _checked_codes(codes, n_codes, start, "X", name)


def _checked_codes(codes, n_codes: int, first_row: int, what: str, name: str):
    if codes.ndim != 2 or codes.shape[1] != n_codes:
        raise ValueError(
            f"{what} has samples of shape {codes.shape[1:]}, but "
            f"{name}.inverse_transform is expecting {n_codes} code features as "
            "input."
        )
    check_block(codes, first_row, what)
    return codes
