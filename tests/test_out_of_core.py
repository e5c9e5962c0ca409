"""Out-of-core fit and inference: memmaps, HDF5 and Zarr arrays, PyDatasets."""

import pickle
import tracemalloc

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skae import DenseAutoencoder, VariationalAutoencoder
from skae._keras._batches import IndexedBatches
from skae._utils import _sources as sources
from skae._utils._sources import ArraySource, is_out_of_core
from skae.autoencoder._out_of_core import TrainingStream

FAST = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=32, random_state=0)


class Batches(keras.utils.PyDataset):
    """Consecutive batches of an array, with an optional clean target."""

    def __init__(self, X, y=None, batch_size=50, spoil=None):
        super().__init__()
        self.X, self.y, self.batch_size = X, y, batch_size
        # (batch, row, read): that value turns NaN from that read of the batch on.
        self.spoil, self.reads = spoil, {}

    def __len__(self):
        return -(-len(self.X) // self.batch_size)

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        x = np.array(self.X[part])
        self.reads[index] = self.reads.get(index, 0) + 1
        if self.spoil and self.spoil[0] == index and self.reads[index] >= self.spoil[2]:
            x[self.spoil[1], 0] = np.nan
        return x if self.y is None else (x, self.y[part])


def write_memmap(path, X):
    out = np.lib.format.open_memmap(path, mode="w+", dtype=X.dtype, shape=X.shape)
    out[:] = X
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


@pytest.fixture(scope="module", autouse=True)
def stream_small_memmaps():
    """Stream the small memmaps of these tests (larger ones stream by default)."""
    default = sources.MEMMAP_STREAM_MIN_BYTES
    sources.MEMMAP_STREAM_MIN_BYTES = 0
    yield
    sources.MEMMAP_STREAM_MIN_BYTES = default


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:400].astype(np.float32)


@pytest.fixture(scope="module")
def memmap(X, tmp_path_factory):
    return write_memmap(tmp_path_factory.mktemp("memmap") / "X.npy", X)


def make_source(kind, X, folder):
    if kind == "memmap":
        return write_memmap(folder / "X.npy", X)
    if kind == "h5py":
        h5py = pytest.importorskip("h5py")
        handle = h5py.File(folder / "X.h5", "w")
        handle.create_dataset("X", data=X, chunks=(16, X.shape[1]))
        return handle["X"]
    if kind == "zarr":
        zarr = pytest.importorskip("zarr")
        array = zarr.create_array(
            store=str(folder / "X.zarr"), shape=X.shape, chunks=(64, 64), dtype=X.dtype
        )
        array[:] = X
        return array
    return Batches(X)


@pytest.fixture(scope="module")
def fitted_on_memmap(memmap):
    return DenseAutoencoder(3, **FAST).fit(memmap)


@pytest.mark.backend_smoke
@pytest.mark.parametrize("kind", ["memmap", "h5py", "zarr", "pydataset"])
def test_each_source_fits_and_transforms(kind, X, fitted_on_memmap, tmp_path):
    source = make_source(kind, X, tmp_path)
    assert is_out_of_core(source)
    est = DenseAutoencoder(3, **FAST).fit(source)
    assert est.input_shape_ == (64,) and est.n_features_in_ == 64
    assert len(est.validation_loss_curve_) == 2
    codes = est.transform(source)
    assert codes.shape == (400, 3) and codes.dtype == np.float32
    assert_same(codes, est.transform(X))
    if kind != "pydataset":
        # Arrays are read by the same indices whatever holds them.
        assert est.loss_curve_ == fitted_on_memmap.loss_curve_


def test_in_memory_arrays_do_not_stream(X):
    assert not is_out_of_core(X)
    assert not is_out_of_core(X.tolist())


def assert_same(streamed, in_memory):
    """Equal to float32 rounding (a backend may round batches apart)."""
    assert streamed.shape == in_memory.shape and streamed.dtype == in_memory.dtype
    assert_allclose(streamed, in_memory, rtol=1e-5, atol=1e-6)


def test_streamed_inference_equals_in_memory(X, memmap, fitted_on_memmap):
    est = fitted_on_memmap
    assert_same(est.transform(memmap), est.transform(X))
    assert_same(est.predict(memmap), est.predict(X))
    assert_same(est.score_samples(memmap), est.score_samples(X))
    assert_same(
        est.reconstruction_error(memmap, per_feature=True),
        est.reconstruction_error(X, per_feature=True),
    )
    assert est.score(memmap) == pytest.approx(est.score(X), rel=1e-5)
    codes = est.transform(X)
    assert_same(
        est.inverse_transform(Batches(codes, batch_size=64)),
        est.inverse_transform(codes),
    )
    assert_same(est.score_samples(Batches(X, batch_size=64)), est.score_samples(X))


def test_variational_scores_stream(X, memmap):
    vae = VariationalAutoencoder(2, loss="binary_crossentropy", **FAST).fit(X)
    assert_same(vae.score_samples(memmap), vae.score_samples(X))


def test_validation_split_holds_out_the_in_memory_rows(memmap):
    est = DenseAutoencoder(3)
    stream = TrainingStream(est, memmap, None, reset=True, unit_interval=False)
    train, validation = stream.split(0.1, seed=7)
    order = np.random.RandomState(7).permutation(400)
    assert_array_equal(validation, np.sort(order[:40]))
    assert_array_equal(train, order[40:])
    assert train.dtype == np.int32


def test_clean_target_streams_with_its_input(X, tmp_path):
    noisy = np.clip(X + np.random.RandomState(0).normal(0, 0.2, X.shape), 0, 1)
    noisy_map = write_memmap(tmp_path / "noisy.npy", noisy.astype(np.float32))
    clean_map = write_memmap(tmp_path / "clean.npy", X)
    est = DenseAutoencoder(3, **FAST).fit(noisy_map, clean_map)
    plain = DenseAutoencoder(3, **FAST).fit(noisy_map)
    assert est.loss_curve_ != plain.loss_curve_
    assert est.score(noisy_map, clean_map) == pytest.approx(est.score(noisy, X))
    # A target in memory is read by the same indices.
    assert DenseAutoencoder(3, **FAST).fit(noisy_map, X).loss_curve_ == est.loss_curve_
    pairs = Batches(noisy.astype(np.float32), X)
    assert est.score(pairs) == pytest.approx(est.score(noisy, X))
    # (x, y) batches train towards y.
    from_pairs = DenseAutoencoder(3, **FAST).fit(pairs)
    assert (
        from_pairs.loss_curve_
        != DenseAutoencoder(3, **FAST)
        .fit(Batches(noisy.astype(np.float32)))
        .loss_curve_
    )


def test_fit_from_memmap_keeps_the_heap_far_below_the_data(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "big.npy"
    big = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(160_000, 64)
    )
    for start in range(0, len(big), 20_000):
        big[start : start + 20_000] = rng.random((20_000, 64), dtype=np.float32)
    big.flush()
    del big
    source = np.load(path, mmap_mode="r")
    size = source.nbytes  # 41 MB
    tracemalloc.start()
    try:
        # The measurement sees a copy of the data ...
        np.array(source)
        assert tracemalloc.get_traced_memory()[1] >= size
        tracemalloc.reset_peak()
        # ... and none in the streamed fit.
        est = DenseAutoencoder(4, epochs=1, batch_size=1024, random_state=0)
        est.fit(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 4, f"peak {peak / 1e6:.1f} MB for {size / 1e6:.1f} MB of data"
    assert est.n_iter_ == 1
    resident = _resident_bytes_of(path)
    if resident is not None:  # Linux: the file's pages were given back
        assert resident < size / 4


def _resident_bytes_of(path):
    """The resident bytes of this process's mappings of ``path`` (Linux), or None."""
    try:
        with open("/proc/self/smaps") as smaps:
            lines = smaps.read().splitlines()
    except OSError:
        return None
    total, inside = 0, False
    for line in lines:
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            inside = fields[-1] == str(path)
        elif inside and fields[0] == "Rss:":
            total += int(fields[1]) * 1024
    return total


def test_bad_values_are_reported_with_their_rows(X, tmp_path):
    bad = X.copy()
    bad[[5, 150], 3] = np.nan
    source = write_memmap(tmp_path / "bad.npy", bad)
    est = DenseAutoencoder(3, **FAST)
    with pytest.raises(ValueError, match=r"NaN or infinity .* row\(s\) 5, 150\."):
        est.fit(source)
    assert not hasattr(est, "model_")
    big = X.copy()
    big[7, 0] = 2.0
    with pytest.raises(ValueError, match=r"\[0, 1\].* row\(s\) 7\."):
        DenseAutoencoder(3, loss="binary_crossentropy", **FAST).fit(
            write_memmap(tmp_path / "big.npy", big)
        )
    bad[5] = X[5]
    bad[105, 0] = np.inf
    with pytest.raises(ValueError, match=r"batch 2 of the PyDataset\) .* row\(s\) 5\."):
        DenseAutoencoder(3, **FAST).fit(Batches(bad, batch_size=50))


def test_bad_data_after_fit(X, memmap, fitted_on_memmap, tmp_path):
    bad = X.copy()
    bad[399] = np.inf
    with pytest.raises(ValueError, match=r"row\(s\) 399\."):
        fitted_on_memmap.transform(write_memmap(tmp_path / "bad.npy", bad))
    with pytest.raises(ValueError, match="64 features"):
        fitted_on_memmap.transform(memmap[:, :10])
    with pytest.raises(ValueError, match="0 sample"):
        fitted_on_memmap.score_samples(memmap[:0])


@pytest.mark.backend_smoke
def test_a_batch_spoiled_during_training_raises_its_own_error(X):
    # Batch 3 is clean when checked before training and NaN from its second read
    # on: the error comes through the backend's data pipeline as a ValueError.
    batches = Batches(X, batch_size=50, spoil=(3, 4, 2))
    est = DenseAutoencoder(3, **FAST)
    with pytest.raises(ValueError, match=r"batch 3 of the PyDataset\) .* row\(s\) 4"):
        est.fit(batches)
    assert not hasattr(est, "model_")


def test_a_pydataset_is_split_by_batch(X):
    with pytest.raises(ValueError, match="no training batch"):
        DenseAutoencoder(3, **FAST).fit(Batches(X, batch_size=400))
    est = DenseAutoencoder(3, **{**FAST, "early_stopping": False}).fit(
        Batches(X, batch_size=400)
    )
    assert est.validation_loss_curve_ == []


def test_partial_fit_and_warm_start_from_a_memmap(X, memmap):
    est = DenseAutoencoder(3, **FAST)
    est.partial_fit(memmap)
    est.partial_fit(memmap)
    assert est.n_iter_ == 2 and est.validation_loss_curve_ == []
    warm = DenseAutoencoder(3, warm_start=True, **FAST).fit(memmap).fit(memmap)
    assert warm.n_iter_ == 4
    with pytest.raises(ValueError, match="64 features"):
        est.partial_fit(memmap[:, :10])


def test_a_model_fitted_from_a_memmap_pickles(X, fitted_on_memmap):
    restored = pickle.loads(pickle.dumps(fitted_on_memmap))
    assert_array_equal(restored.score_samples(X), fitted_on_memmap.score_samples(X))


def test_indexed_batches_reshuffle_each_epoch_and_survive_peeks():
    reads = []
    batches = IndexedBatches(
        lambda units: reads.append(units) or units, np.arange(10), 3, seed=0
    )
    assert len(batches) == 4
    peeked = [batches[0], batches[1]]  # TensorFlow peeks at shapes first
    epochs = [[batches[i] for i in range(4)] for _ in range(3)]
    assert_array_equal(peeked[0], epochs[0][0])  # a peek keeps the order
    for epoch in epochs:
        assert all(np.all(np.diff(b) > 0) for b in epoch)  # sorted in a batch
        assert_array_equal(np.sort(np.concatenate(epoch)), np.arange(10))
    assert not np.array_equal(np.concatenate(epochs[0]), np.concatenate(epochs[1]))
    again = IndexedBatches(lambda units: units, np.arange(10), 3, seed=0)
    assert_array_equal(again[0], epochs[0][0])


def test_memmap_rows_are_read_from_the_file_in_any_view(tmp_path):
    X = np.arange(300 * 12, dtype=np.float64).reshape(300, 12)
    saved = write_memmap(tmp_path / "X.npy", X)  # data after a 128-byte header
    raw = np.memmap(tmp_path / "X.dat", ">f4", "w+", shape=(300, 3, 4), offset=100)
    raw[:] = X.reshape(300, 3, 4)
    views = {
        "npy": saved,
        "rows": saved[10:290],
        "reversed": saved[::-1],
        "strided": saved[::3],
        "columns": saved[:, :5],
        "big-endian, offset, 3-D": raw,
        "3-D slice": raw[5:50, 1:],
    }
    indices = np.array([0, 1, 2, 7, 8, 40, 41, 42, 44])
    for name, view in views.items():
        source = ArraySource(view)
        assert source._file is not None, name
        expected = np.asarray(view, dtype=np.float32)
        assert_array_equal(source.take(indices), expected[indices], err_msg=name)
        assert_array_equal(source.read(3, 40), expected[3:40], err_msg=name)
    # Unflushed writes through a shared map are in the page cache, read too.
    raw[5] = -1
    assert ArraySource(raw).take(np.array([5]))[0, 0, 0] == -1
    # A copy-on-write map's changes are not in the file: read through the map.
    private = np.load(tmp_path / "X.npy", mmap_mode="c")
    private[3] = -2
    source = ArraySource(private)
    assert source._file is None
    assert source.take(np.array([3]))[0, 0] == -2


def test_a_small_memmap_is_read_into_memory(X, memmap, monkeypatch):
    # As joblib hands a worker its data: the fit equals the in-memory one.
    monkeypatch.setattr(sources, "MEMMAP_STREAM_MIN_BYTES", X.nbytes + 1)
    assert not is_out_of_core(memmap)
    from_memmap = DenseAutoencoder(3, **FAST).fit(memmap)
    in_memory = DenseAutoencoder(3, **FAST).fit(np.array(X))
    assert from_memmap.loss_curve_ == in_memory.loss_curve_
