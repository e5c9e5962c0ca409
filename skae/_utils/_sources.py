"""Out-of-core sources: what streams, how many rows, reading rows and batches.

A *source* is data that skae reads a block at a time instead of converting it
in full: a NumPy memmap, an HDF5 dataset (``h5py.Dataset``), a Zarr array, or
a Keras ``PyDataset``. Everything else is converted in memory as before.

Rows of an array source are read as float32, consecutive (``read``) or by
sorted index (``take``: h5py needs increasing indices). A memmap is read from
its file with ``os.preadv`` rather than through its map (or, where that cannot
be done, through the map with its pages given back after each read), so that
the process's resident memory stays bounded by the block read, not by the
file. The batches
of a ``PyDataset`` are read by batch index (``batch``).

Values are checked a block at a time (:func:`check_block`): non-finite values
and, for binary cross-entropy, values outside [0, 1] raise ``ValueError``
naming the rows.
"""

from __future__ import annotations

import math
import mmap
import os
import sys

import keras
import numpy as np

from ._data import validate_samples

# Values per block read in order (validation pass, inference): 4 MiB as float32.
CHUNK_VALUES = 2**20
# The rows of a block that an error names, at most.
NAMED_ROWS = 10
# A memmap smaller than this is read into memory like any array: results then
# equal those of the same data in memory, for instance when joblib hands a
# worker its data as a memmap (it does from 1 MB on).
MEMMAP_STREAM_MIN_BYTES = 2**28


def _is_instance_of(X, module: str, name: str) -> bool:
    """Whether ``X`` is a ``module.name``, without importing ``module``."""
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(X, cls)


def is_array_source(X) -> bool:
    """Whether ``X`` is an array read out of core.

    A memmap of ``MEMMAP_STREAM_MIN_BYTES`` (256 MiB) or more, an h5py
    dataset or a Zarr array of any size.
    """
    return (
        (isinstance(X, np.memmap) and X.nbytes >= MEMMAP_STREAM_MIN_BYTES)
        or _is_instance_of(X, "h5py", "Dataset")
        or _is_instance_of(X, "zarr", "Array")
    )


def is_batch_source(X) -> bool:
    """Whether ``X`` is a Keras ``PyDataset``, read a batch at a time."""
    return isinstance(X, keras.utils.PyDataset)


def is_out_of_core(X) -> bool:
    """Whether ``X`` streams: an array source or a ``PyDataset``."""
    return is_array_source(X) or is_batch_source(X)


def check_numeric(dtype, what: str) -> None:
    """Raise ``ValueError`` unless ``dtype`` holds numbers (bool, int, float)."""
    if np.dtype(dtype).kind not in "biuf":
        raise ValueError(
            f"{what} holds values of dtype {np.dtype(dtype)}; skae needs numbers "
            "(bool, integer or floating point)."
        )


def _rows_text(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:NAMED_ROWS])
    more = len(rows) - NAMED_ROWS
    return shown + (f" and {more} more" if more > 0 else "")


def check_block(
    block: np.ndarray, rows: np.ndarray | int, what: str, *, unit_interval=False
) -> None:
    """Raise ``ValueError`` naming the rows of ``block`` with bad values.

    Parameters
    ----------
    block : ndarray of float32, shape (n, ...)
        Rows just read.
    rows : ndarray of int or int
        Their row numbers in the source, or the number of the first one.
    what : str
        How the error names the data (``"X"``, ``"the target"``, ``"X (batch
        3 of the PyDataset)"``).
    unit_interval : bool, default=False
        Also refuse values outside [0, 1] (binary cross-entropy).
    """
    flat = block.reshape(len(block), -1)
    finite = np.isfinite(flat).all(axis=1)
    if not finite.all():
        raise ValueError(
            f"Input {what} contains NaN or infinity (as float32) in row(s) "
            f"{_rows_text(_row_numbers(rows, ~finite))}."
        )
    if unit_interval and len(flat) and (flat.min() < 0.0 or flat.max() > 1.0):
        outside = ((flat < 0.0) | (flat > 1.0)).any(axis=1)
        raise ValueError(
            f"loss='binary_crossentropy' needs data in [0, 1], but {what} has "
            f"values outside it in row(s) {_rows_text(_row_numbers(rows, outside))}. "
            "Scale it (e.g. MinMaxScaler) or use loss='mse'."
        )


def _row_numbers(rows, mask: np.ndarray) -> np.ndarray:
    where = np.flatnonzero(mask)
    return where + rows if isinstance(rows, (int, np.integer)) else rows[where]


def _page_release(array):
    """A function that drops a memmap's resident pages, or None.

    Reading through a memory map leaves the file's pages mapped in the process
    (counted in its resident memory) until the kernel reclaims them. Dropping
    them (``MADV_DONTNEED``) costs nothing for data: the next access reads them
    again from the page cache. Not for copy-on-write maps (mode ``"c"``), where
    it would drop the caller's changes.
    """
    mapping = getattr(array, "_mmap", None)
    if (
        mapping is None
        or getattr(array, "mode", "c") == "c"
        or not hasattr(mapping, "madvise")
        or not hasattr(mmap, "MADV_DONTNEED")
    ):
        return None

    def release() -> None:
        try:
            mapping.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):  # closed, or refused: only memory is at stake
            pass

    return release


class FileRows:
    """Rows of a memmap read from its file with ``os.preadv``, not through the map.

    A read through a memory map maps whole page-cache folios (up to 2 MiB on
    recent Linux kernels) into the process for every row touched, so that a
    batch of rows at random positions can map a large part of the file at
    once. Reading the same bytes from the file leaves nothing mapped: only the
    batch is in the process's memory, the file's pages stay in the page cache.

    :meth:`open` returns None where that is not possible or not safe, and the
    caller reads through the map: a copy-on-write memmap (mode ``"c"``, whose
    changes are not in the file), samples whose bytes are not contiguous in
    the file (a column slice), no ``os.preadv`` (Windows), or a file that no
    longer holds the memmap's bytes at the place computed.
    """

    def __init__(self, handle, position: int, stride: int, array):
        self._handle = handle
        self._fd = handle.fileno()
        self._position = position
        self._stride = stride
        self._sample_shape = array.shape[1:]
        self._dtype = array.dtype
        self._row_bytes = array.dtype.itemsize * math.prod(array.shape[1:])

    @classmethod
    def open(cls, array) -> FileRows | None:
        """Return a reader of ``array``'s rows from its file, or None."""
        mapping = getattr(array, "_mmap", None)
        filename = getattr(array, "filename", None)
        if (
            mapping is None
            or not filename
            or getattr(array, "mode", "c") == "c"
            or not hasattr(os, "preadv")
            or array.ndim < 1
            or len(array) == 0
            or not _rows_contiguous(array)
        ):
            return None
        try:
            # The map starts at the file offset numpy aligned it to.
            anchor = np.frombuffer(mapping, dtype=np.uint8, count=1)
            map_address = anchor.__array_interface__["data"][0]
            del anchor
            offset = int(array.offset)
            map_start = offset - offset % mmap.ALLOCATIONGRANULARITY
            address = array.__array_interface__["data"][0]
            handle = open(filename, "rb")  # closed by ArraySource.__del__
        except (OSError, TypeError, ValueError, AttributeError):
            return None
        reader = cls(handle, map_start + address - map_address, array.strides[0], array)
        last = len(array) - 1
        try:
            same = all(
                reader.take(np.array([i])).tobytes() == np.asarray(array[i]).tobytes()
                for i in (0, last)
            )
        except OSError:
            same = False
        if not same:
            handle.close()
            return None
        return reader

    def _read_into(self, buffer: memoryview, position: int) -> None:
        while len(buffer):
            n = os.preadv(self._fd, [buffer], position)
            if n <= 0:
                raise OSError(f"the file ended at byte {position} while reading rows")
            buffer, position = buffer[n:], position + n

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` (in the memmap's dtype)."""
        return self.take(np.arange(start, stop))

    def take(self, indices: np.ndarray) -> np.ndarray:
        """The rows at sorted ``indices`` (in the memmap's dtype)."""
        out = np.empty((len(indices), *self._sample_shape), dtype=self._dtype)
        if len(indices) == 0:
            return out
        buffer = memoryview(out.reshape(-1).view(np.uint8))
        size = self._row_bytes
        if self._stride == size:
            # Runs of consecutive rows are consecutive bytes: one read each.
            breaks = np.flatnonzero(np.diff(indices) != 1) + 1
            starts = np.concatenate(([0], breaks))
            stops = np.concatenate((breaks, [len(indices)]))
            for first, last in zip(starts.tolist(), stops.tolist(), strict=True):
                position = self._position + int(indices[first]) * size
                self._read_into(buffer[first * size : last * size], position)
        else:
            for k, index in enumerate(indices.tolist()):
                position = self._position + index * self._stride
                self._read_into(buffer[k * size : (k + 1) * size], position)
        return out

    def close(self) -> None:
        self._handle.close()


def _rows_contiguous(array) -> bool:
    """Whether each sample's bytes are contiguous and in C order."""
    expected = array.dtype.itemsize
    for size, stride in zip(array.shape[:0:-1], array.strides[:0:-1], strict=True):
        if size > 1 and stride != expected:
            return False
        expected *= size
    return True


class ArraySource:
    """The rows of an array read out of core (or of any array, for a target).

    A memmap is read from its file (:class:`FileRows`) where possible, else
    through its map, whose pages are given back after each read.

    Parameters
    ----------
    array : np.memmap, h5py.Dataset, zarr.Array or ndarray
        Data with ``shape``, ``dtype`` and slicing along the first axis.
    what : str, default="X"
        How errors name it.
    """

    def __init__(self, array, what: str = "X"):
        self.array = array
        self.what = what
        self.shape = tuple(int(n) for n in array.shape)
        self.dtype = np.dtype(array.dtype)
        self._release = _page_release(array)
        self._file = FileRows.open(array) if isinstance(array, np.memmap) else None
        if self._release is not None:
            self._release()  # FileRows.open read two rows through the map
        self._is_zarr = _is_instance_of(array, "zarr", "Array")

    def __del__(self):
        if getattr(self, "_file", None) is not None:
            self._file.close()

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return self.shape[1:]

    def _as_float32(self, block) -> np.ndarray:
        block = np.asarray(block, dtype=np.float32)
        if self._release is not None:
            self._release()
        return block

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` as float32."""
        if self._file is not None:
            return np.asarray(self._file.read(start, stop), dtype=np.float32)
        return self._as_float32(self.array[start:stop])

    def take(self, indices: np.ndarray) -> np.ndarray:
        """The rows at sorted, distinct ``indices``, as a new float32 array."""
        indices = np.asarray(indices, dtype=np.int64)
        if self._file is not None:
            return np.asarray(self._file.take(indices), dtype=np.float32)
        if self._is_zarr:
            return self._as_float32(self.array.oindex[indices])
        return self._as_float32(self.array[indices])

    def blocks(self, rows: int):
        """Yield ``(start, block)`` over consecutive blocks of ``rows`` rows."""
        for start in range(0, len(self), rows):
            yield start, self.read(start, min(start + rows, len(self)))


class BatchSource:
    """The batches of a Keras ``PyDataset``, standardised as ``(x, y or None)``.

    A batch is ``x``, ``(x,)`` or ``(x, y)``; ``y`` is a clean target when it
    has exactly the shape of ``x`` (two axes or more) and is ignored otherwise,
    as in ``fit(X, y)``. Each batch is read in the calling thread; the
    dataset's ``workers`` settings are not used.

    Parameters
    ----------
    dataset : keras.utils.PyDataset
        The batches; its length must be known.
    """

    what = "X"

    def __init__(self, dataset):
        n_batches = dataset.num_batches
        if n_batches is None:
            raise ValueError(
                "skae reads a PyDataset by batch index and needs its length; "
                f"{type(dataset).__name__} has none (num_batches is None)."
            )
        self.dataset = dataset
        self.n_batches = int(n_batches)
        if self.n_batches == 0:
            raise ValueError(
                "Found a PyDataset with 0 batches while a minimum of 1 is required."
            )

    def batch(self, index: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Batch ``index`` as float32 ``(x, y)``; ``y`` None without a target."""
        batch = self.dataset[int(index)]
        if isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple):
            batch = (batch,)
        if len(batch) not in (1, 2) or isinstance(batch[0], dict):
            raise ValueError(
                "skae takes PyDataset batches of x, (x,) or (x, y) arrays; batch "
                f"{index} of {type(self.dataset).__name__} is a "
                f"{type(batch).__name__} of {len(batch)}."
            )
        x = np.asarray(batch[0])
        check_numeric(x.dtype, f"X (batch {index} of the PyDataset)")
        x = np.asarray(x, dtype=np.float32)
        if x.ndim < 2 or len(x) == 0:
            raise ValueError(
                f"Batch {index} of the PyDataset has x of shape {x.shape}; skae "
                "needs at least one sample and two axes (n_samples, ...)."
            )
        y = None
        if len(batch) == 2 and batch[1] is not None:
            y = np.asarray(batch[1])
            if y.ndim >= 2 and y.shape == x.shape:
                check_numeric(y.dtype, f"the target (batch {index} of the PyDataset)")
                y = np.asarray(y, dtype=np.float32)
            else:
                y = None
        return x, y


def check_array_source(estimator, source: ArraySource, *, reset: bool, min_rows=1):
    """Check an array source's layout as ``validate_samples`` checks arrays.

    Sets ``input_shape_`` and ``n_features_in_`` when ``reset`` (and drops
    ``feature_names_in_``: a source has no column names); otherwise refuses
    another layout with the in-memory path's messages.
    """
    check_numeric(source.dtype, source.what)
    if len(source.shape) < 2:
        raise ValueError(
            f"Expected 2D array, got {len(source.shape)}D {type(source.array).__name__}"
            " instead. Reshape your data to (n_samples, n_features)."
        )
    check_rows(len(source), source.shape, min_rows)
    check_sample_shape(estimator, source.sample_shape, reset=reset)


def check_rows(n_rows: int, shape, min_rows: int) -> None:
    """Raise scikit-learn's ``ValueError`` for too few samples."""
    if n_rows < min_rows:
        raise ValueError(
            f"Found array with {n_rows} sample(s) (shape={tuple(shape)}) while a "
            f"minimum of {min_rows} is required."
        )


def check_sample_shape(estimator, sample_shape, *, reset: bool) -> None:
    """Validate the layout of samples of ``sample_shape`` against ``estimator``.

    Runs ``validate_samples`` on one row of zeros of that shape: the same
    attributes are set and the same errors and warnings raised as for an
    in-memory array, without reading any data.
    """
    probe = np.zeros((1, *sample_shape), dtype=np.float32)
    validate_samples(estimator, probe, reset=reset)


def block_rows(
    sample_shape,
    multiple: int = 1,
    values: int = CHUNK_VALUES,
    max_rows: int | None = None,
) -> int:
    """Rows per block of samples of ``sample_shape``: about ``values`` values
    (``CHUNK_VALUES`` for blocks read in order), a multiple of ``multiple``
    rows, at most ``max_rows``."""
    per_row = max(1, math.prod(sample_shape))
    rows = multiple * max(1, values // (per_row * multiple))
    return rows if max_rows is None else min(rows, max_rows)
