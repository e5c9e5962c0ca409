"""A Keras PyDataset of batches read by index, reshuffled each epoch."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import keras
import numpy as np

from ._devices import pad_rows


class IndexedBatches(keras.utils.PyDataset):
    """Batches for Keras' ``fit`` and ``evaluate``, read by index from a source.

    The *units* are what one index names: rows of an array, or batches of a
    user's ``PyDataset``. Batch ``i`` of an epoch reads the units at positions
    ``i * per_batch`` to ``(i + 1) * per_batch`` of the epoch's order, sorted
    (HDF5 reads need increasing indices, and sorted reads are faster anywhere).
    With a seed, the order is shuffled in place at the start and at each new
    epoch, from a generator seeded once: the same seed gives the same batches.

    A new epoch is recognised by its reads, not by ``on_epoch_end``: Keras may
    open (and TensorFlow prefetch from) the next epoch's iterator before it
    calls ``on_epoch_end``. Reading index 0 again after the last batch of a
    complete pass starts a new epoch; reads that restart before a pass is
    complete (Keras peeks at the first batches to learn their shapes) keep the
    order. No worker threads or processes: one batch is read at a time.

    Parameters
    ----------
    read : callable
        Takes a sorted int array of unit indices and returns the batch, a tuple
        of float32 arrays: the input, and the target if there is one.
    units : ndarray of int
        The unit indices this dataset reads; shuffled in place when ``seed``
        is set (pass an array this dataset may own).
    per_batch : int
        Units per batch.
    seed : int or None, default=None
        None: read the units in the order given, every epoch.
    pad_to : int, default=1
        Every batch is padded to a multiple of ``pad_to`` rows with repeats of
        random rows of its own (a distribution splits each batch over that
        many devices). The repeats are drawn from ``seed`` (0 when None) and
        the batch's index, so an unshuffled batch is padded alike every epoch.
        1: no padding.

    Attributes
    ----------
    error : Exception or None
        The first exception a read raised. Backends may wrap exceptions raised
        in a data pipeline (TensorFlow turns them into its own error types);
        :func:`surfaced_errors` raises this one instead.
    """

    def __init__(
        self,
        read: Callable[[np.ndarray], tuple],
        units: np.ndarray,
        per_batch: int,
        seed: int | None = None,
        pad_to: int = 1,
    ):
        super().__init__(workers=1, use_multiprocessing=False)
        self._read = read
        self._units = units
        self._per_batch = int(per_batch)
        self._rng = None if seed is None else np.random.default_rng(seed)
        self._pad_to = int(pad_to)
        self._padding_seed = 0 if seed is None else int(seed)
        self._last_read = -1
        self.error = None
        self._shuffle()

    def close(self) -> None:
        """Drop the reader and the indices.

        A backend may keep the dataset after training (TensorFlow's generator
        registry does): closed, it no longer keeps the source open or its
        indices in memory.
        """
        self._read = None
        self._units = np.empty(0, dtype=self._units.dtype)

    def _shuffle(self) -> None:
        if self._rng is not None:
            self._rng.shuffle(self._units)

    def __len__(self) -> int:
        return math.ceil(len(self._units) / self._per_batch)

    def __getitem__(self, index: int) -> tuple:
        try:
            if index <= self._last_read and self._last_read == len(self) - 1:
                self._shuffle()
            self._last_read = index
            start = index * self._per_batch
            batch = self._read(np.sort(self._units[start : start + self._per_batch]))
            if self._pad_to > 1:
                rng = np.random.default_rng((self._padding_seed, index))
                batch = tuple(pad_rows(list(batch), self._pad_to, rng))
            return batch
        except Exception as error:
            if self.error is None:
                self.error = error
            raise


@contextlib.contextmanager
def surfaced_errors(*datasets) -> Iterator[None]:
    """Re-raise the first error a dataset's read raised, unwrapped by the backend.

    ``datasets`` may hold anything; those with an ``error`` attribute that is
    set when the block fails have it raised instead of the backend's error.
    """
    try:
        yield
    except Exception:
        for dataset in datasets:
            error = getattr(dataset, "error", None)
            if error is not None:
                dataset.error = None
                raise error from None
        raise
