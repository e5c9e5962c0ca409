"""Tests for skae.datasets: IDX parsing, file lookup, error paths and real data.

No test touches the network: every load passes ``download=False`` or runs with
``keras.utils.get_file`` replaced by a fake.  The real MNIST and Fashion-MNIST
files are found through ``SKAE_DATA`` (if set when the tests start) or
``<repo>/../shared/data``; tests needing them are skipped when they are absent.
"""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest

from skae.datasets import load_fashion_mnist, load_mnist

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
ALL_FILES = FILES["train"] + FILES["test"]
# keras is imported above, at collection, so that its import-time reading of
# KERAS_HOME never sees the temporary KERAS_HOME the tests set.
LOADERS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "fashion-mnist": load_fashion_mnist,
    "mnist": load_mnist,
}
BASE_URLS = {
    "fashion-mnist": "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "mnist": "https://storage.googleapis.com/cvdf-datasets/mnist/",
}


def _real_data_root() -> Path:
    env = os.environ.get("SKAE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


# Read once at import, before any test changes the environment.
REAL_DATA_ROOT = _real_data_root()

# Published facts about the real files: size, class counts, first ten labels
# and mean pixel value / 255 (the usual normalisation constants).
REAL_FACTS = {
    ("fashion-mnist", "train"): (
        60000,
        [6000] * 10,
        [9, 0, 0, 3, 0, 2, 7, 2, 5, 5],
        0.2860,
    ),
    ("fashion-mnist", "test"): (
        10000,
        [1000] * 10,
        [9, 2, 1, 1, 6, 1, 4, 6, 5, 7],
        0.2868,
    ),
    ("mnist", "train"): (
        60000,
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        [5, 0, 4, 1, 9, 2, 1, 3, 1, 4],
        0.1307,
    ),
    ("mnist", "test"): (
        10000,
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
        [7, 2, 1, 0, 4, 1, 4, 9, 5, 9],
        0.1325,
    ),
}


# --------------------------------------------------------------------------- helpers


def _real_dir(name: str) -> Path:
    """Return ``<real data root>/<name>``, or skip if its four files are absent."""
    folder = REAL_DATA_ROOT / name
    missing = [f for f in ALL_FILES if not (folder / f).is_file()]
    if missing:
        pytest.skip(
            f"real {name} data not found in {folder} (missing {', '.join(missing)}); "
            f"set SKAE_DATA to a folder holding a '{name}' sub-folder to run this test"
        )
    return folder


def _link(src: Path, dst: Path) -> None:
    """Symlink ``src`` to ``dst`` (copy where symlinks are not allowed)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        dst.symlink_to(src)
    except OSError:
        shutil.copyfile(src, dst)


def _link_subset(src_dir: Path, dst_dir: Path, subset: str) -> None:
    for fname in FILES[subset]:
        _link(src_dir / fname, dst_dir / fname)


def _gzip_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(data)
    return path


def _idx_bytes(magic: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    """Big-endian IDX header (magic, then one int32 per dimension) + payload."""
    return struct.pack(">" + "i" * (1 + len(dims)), magic, *dims) + payload


def _write_subset(
    folder: Path, subset: str, images: np.ndarray, labels: np.ndarray
) -> None:
    """Write ``images`` and ``labels`` as the two gzip IDX files of ``subset``."""
    image_name, label_name = FILES[subset]
    _gzip_bytes(
        folder / image_name,
        _idx_bytes(IMAGE_MAGIC, images.shape, images.astype(np.uint8).tobytes()),
    )
    _gzip_bytes(
        folder / label_name,
        _idx_bytes(LABEL_MAGIC, labels.shape, labels.astype(np.uint8).tobytes()),
    )


def _random_subset(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random 28x28 uint8 images (the first holds every value 0..255)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    if n:
        images[0].flat[:256] = np.arange(256, dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


def _const_labels_subset(folder: Path, subset: str, label: int, n: int = 3) -> None:
    """Write a tiny subset whose labels are all ``label`` (tells sources apart)."""
    images, _ = _random_subset(n, seed=label)
    _write_subset(folder, subset, images, np.full(n, label, dtype=np.uint8))


def _patch_get_file(monkeypatch: pytest.MonkeyPatch, action: Callable) -> list[dict]:
    """Replace ``keras.utils.get_file`` by a fake that records its calls."""
    calls: list[dict] = []

    def fake_get_file(fname, origin=None, **kwargs):
        calls.append({"fname": fname, "origin": origin, **kwargs})
        return action(fname, origin=origin, **kwargs)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    return calls


def _raise(exc: BaseException) -> Callable:
    def action(*args, **kwargs):
        raise exc

    return action


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def keras_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Isolate every test from the machine: no SKAE_DATA, an empty Keras cache."""
    home = tmp_path / "keras_home"
    monkeypatch.delenv("SKAE_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def real_raw() -> Callable[[str, str], tuple[np.ndarray, np.ndarray]]:
    """Load (once per module) a real subset as raw uint8 (n, 28, 28) arrays."""
    cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def get(name: str, subset: str) -> tuple[np.ndarray, np.ndarray]:
        if (name, subset) not in cache:
            _real_dir(name)
            cache[name, subset] = LOADERS[name](
                subset,
                data_home=REAL_DATA_ROOT,
                flatten=False,
                scale=False,
                download=False,
            )
        return cache[name, subset]

    return get


# --------------------------------------------------------------------------- real data


@pytest.mark.parametrize(("name", "subset"), list(REAL_FACTS))
def test_real_raw_arrays_match_published_facts(real_raw, name, subset):
    n, class_counts, first_labels, mean = REAL_FACTS[name, subset]
    X, y = real_raw(name, subset)

    assert X.shape == (n, 28, 28)
    assert X.dtype == np.uint8
    assert y.shape == (n,)
    assert y.dtype == np.uint8
    assert X.min() == 0
    assert X.max() == 255
    assert np.bincount(y, minlength=10).tolist() == class_counts
    assert y[:10].tolist() == first_labels
    assert X.mean() / 255 == pytest.approx(mean, abs=1e-3)
    assert X.flags.writeable
    assert y.flags.writeable


@pytest.mark.parametrize("name", list(LOADERS))
def test_real_test_subset_flatten_and_scale_variants(real_raw, name):
    raw_X, raw_y = real_raw(name, "test")
    load = LOADERS[name]
    expected = raw_X.astype(np.float32) / np.float32(255)

    X, y = load("test", data_home=REAL_DATA_ROOT, download=False)  # the defaults
    assert X.shape == (10000, 784)
    assert X.dtype == np.float32
    assert X.min() == 0.0
    assert X.max() == 1.0
    np.testing.assert_array_equal(X, expected.reshape(10000, 784))
    np.testing.assert_array_equal(y, raw_y)

    X, y = load("test", data_home=REAL_DATA_ROOT, flatten=False, download=False)
    assert X.shape == (10000, 28, 28)
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, expected)

    X, y = load("test", data_home=REAL_DATA_ROOT, scale=False, download=False)
    assert X.shape == (10000, 784)
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X, raw_X.reshape(10000, 784))
    np.testing.assert_array_equal(y, raw_y)


@pytest.mark.parametrize("name", list(LOADERS))
def test_real_train_subset_defaults(name):
    _real_dir(name)
    X, y = LOADERS[name]("train", data_home=REAL_DATA_ROOT, download=False)
    assert X.shape == (60000, 784)
    assert X.dtype == np.float32
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert y.shape == (60000,)
    assert y.dtype == np.uint8
    assert np.unique(y).tolist() == list(range(10))


def test_real_loaders_do_not_mix_up_the_data_sets(real_raw):
    fashion_X, _ = real_raw("fashion-mnist", "test")
    mnist_X, _ = real_raw("mnist", "test")
    assert fashion_X.shape == mnist_X.shape
    assert not np.array_equal(fashion_X, mnist_X)


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize("nested", [True, False], ids=["nested", "flat"])
@pytest.mark.parametrize("as_str", [True, False], ids=["str", "path"])
def test_real_data_home_both_layouts(real_raw, tmp_path, name, nested, as_str):
    src = _real_dir(name)
    home = tmp_path / "home"
    _link_subset(src, home / name if nested else home, "test")

    X, y = LOADERS[name](
        "test",
        data_home=str(home) if as_str else home,
        flatten=False,
        scale=False,
        download=False,
    )
    raw_X, raw_y = real_raw(name, "test")
    np.testing.assert_array_equal(X, raw_X)
    np.testing.assert_array_equal(y, raw_y)


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize("nested", [True, False], ids=["nested", "flat"])
def test_real_skae_data_env(real_raw, monkeypatch, tmp_path, name, nested):
    src = _real_dir(name)
    env_dir = tmp_path / "env"
    _link_subset(src, env_dir / name if nested else env_dir, "test")
    monkeypatch.setenv("SKAE_DATA", str(env_dir))

    X, y = LOADERS[name]("test", flatten=False, scale=False, download=False)
    raw_X, raw_y = real_raw(name, "test")
    np.testing.assert_array_equal(X, raw_X)
    np.testing.assert_array_equal(y, raw_y)


@pytest.mark.parametrize("name", list(LOADERS))
def test_real_keras_cache(real_raw, keras_home, name):
    _link_subset(_real_dir(name), keras_home / "datasets" / name, "test")

    X, y = LOADERS[name]("test", flatten=False, scale=False, download=False)
    raw_X, raw_y = real_raw(name, "test")
    np.testing.assert_array_equal(X, raw_X)
    np.testing.assert_array_equal(y, raw_y)


# --------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize("subset", ["train", "test"])
def test_synthetic_files_are_parsed_exactly(tmp_path, name, subset):
    images, labels = _random_subset(5, seed=1)
    _write_subset(tmp_path / name, subset, images, labels)
    load = LOADERS[name]

    X, y = load(subset, data_home=tmp_path, flatten=False, scale=False, download=False)
    assert X.dtype == np.uint8
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)

    X, y = load(subset, data_home=tmp_path, download=False)
    assert X.shape == (5, 784)
    assert X.dtype == np.float32
    # Exactly x / 255 in float32 for every pixel value 0..255, so 255 -> 1.0.
    np.testing.assert_array_equal(X[0, :256], np.arange(256, dtype=np.float32) / 255)
    np.testing.assert_array_equal(
        X, images.reshape(5, 784).astype(np.float32) / np.float32(255)
    )
    assert X.min() == 0.0
    assert X.max() == 1.0
    np.testing.assert_array_equal(y, labels)


def test_empty_subset(tmp_path):
    images, labels = _random_subset(0)
    _write_subset(tmp_path, "test", images, labels)
    X, y = load_mnist("test", data_home=tmp_path, download=False)
    assert X.shape == (0, 784)
    assert X.dtype == np.float32
    assert y.shape == (0,)


def test_scaling_never_creates_a_float64_array(tmp_path):
    n = 4000
    images, labels = _random_subset(n)
    _write_subset(tmp_path, "train", images, labels)
    n_pixels = images.size

    tracemalloc.start()
    try:
        X, _ = load_fashion_mnist("train", data_home=tmp_path, download=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert X.dtype == np.float32
    # uint8 data (1 B/pixel) + float32 result (4 B/pixel) + read buffers; a
    # float64 temporary alone would add 8 B/pixel.
    assert peak < 8 * n_pixels, f"peak {peak / n_pixels:.1f} bytes per pixel"


@pytest.mark.parametrize(
    ("target", "magic"),
    [
        ("images", LABEL_MAGIC),
        ("images", 0x12345678),
        ("labels", IMAGE_MAGIC),
        ("labels", 0),
    ],
)
def test_bad_magic_number(tmp_path, target, magic):
    images, labels = _random_subset(3)
    _write_subset(tmp_path, "test", images, labels)
    image_name, label_name = FILES["test"]
    if target == "images":
        _gzip_bytes(
            tmp_path / image_name, _idx_bytes(magic, images.shape, images.tobytes())
        )
    else:
        _gzip_bytes(
            tmp_path / label_name, _idx_bytes(magic, labels.shape, labels.tobytes())
        )

    with pytest.raises(ValueError, match=rf"magic number {magic}\b"):
        load_mnist("test", data_home=tmp_path, download=False)


@pytest.mark.parametrize("target", ["images", "labels"])
def test_truncated_data(tmp_path, target):
    images, labels = _random_subset(4)
    _write_subset(tmp_path, "test", images, labels)
    image_name, label_name = FILES["test"]
    if target == "images":
        # Header says 4 images; only 3.5 follow.
        payload = images.tobytes()[: 3 * 784 + 392]
        _gzip_bytes(
            tmp_path / image_name, _idx_bytes(IMAGE_MAGIC, (4, 28, 28), payload)
        )
    else:
        payload = labels.tobytes()[:3]
        _gzip_bytes(tmp_path / label_name, _idx_bytes(LABEL_MAGIC, (4,), payload))

    with pytest.raises(ValueError, match="truncated data"):
        load_fashion_mnist("test", data_home=tmp_path, download=False)


def test_data_beyond_declared_size(tmp_path):
    images, labels = _random_subset(4)
    _write_subset(tmp_path, "test", images, labels)
    _gzip_bytes(
        tmp_path / FILES["test"][1],
        _idx_bytes(LABEL_MAGIC, (4,), labels.tobytes() + b"\x01"),
    )
    with pytest.raises(ValueError, match="size mismatch"):
        load_fashion_mnist("test", data_home=tmp_path, download=False)


def test_truncated_header(tmp_path):
    images, labels = _random_subset(2)
    _write_subset(tmp_path, "test", images, labels)
    # Magic number and the first two of three dimensions only.
    _gzip_bytes(tmp_path / FILES["test"][0], struct.pack(">iii", IMAGE_MAGIC, 2, 28))
    with pytest.raises(ValueError, match="truncated IDX header"):
        load_mnist("test", data_home=tmp_path, download=False)


def test_image_and_label_counts_must_agree(tmp_path):
    images, labels = _random_subset(5)
    _write_subset(tmp_path, "train", images, labels[:4])
    with pytest.raises(ValueError, match=r"5 images .* but 4 labels"):
        load_mnist("train", data_home=tmp_path, download=False)


def test_images_must_be_28x28(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    _write_subset(tmp_path, "train", images, np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match="expected 28x28 images, found 4x5"):
        load_mnist("train", data_home=tmp_path, download=False)


@pytest.mark.parametrize("damage", ["cut", "not-gzip"])
def test_corrupt_gzip_file(tmp_path, damage):
    images, labels = _random_subset(5)
    _write_subset(tmp_path, "test", images, labels)
    path = tmp_path / FILES["test"][0]
    data = path.read_bytes()
    if damage == "cut":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(_idx_bytes(IMAGE_MAGIC, images.shape, images.tobytes()))

    with pytest.raises(ValueError, match="not a valid gzip file or is corrupt"):
        load_mnist("test", data_home=tmp_path, download=False)


# --------------------------------------------------------------------------- lookup


def test_search_order_data_home_then_env_then_keras_cache(
    monkeypatch, tmp_path, keras_home
):
    home, env_dir = tmp_path / "home", tmp_path / "env"
    _const_labels_subset(home / "mnist", "test", label=1)
    _const_labels_subset(env_dir / "mnist", "test", label=2)
    _const_labels_subset(keras_home / "datasets" / "mnist", "test", label=3)
    monkeypatch.setenv("SKAE_DATA", str(env_dir))

    _, y = load_mnist("test", data_home=home, download=False)
    assert y.tolist() == [1, 1, 1]
    _, y = load_mnist("test", download=False)
    assert y.tolist() == [2, 2, 2]
    monkeypatch.delenv("SKAE_DATA")
    _, y = load_mnist("test", download=False)
    assert y.tolist() == [3, 3, 3]


def test_nested_layout_wins_over_flat_in_the_same_folder(tmp_path):
    _const_labels_subset(tmp_path / "fashion-mnist", "train", label=4)
    _const_labels_subset(tmp_path, "train", label=5)
    _, y = load_fashion_mnist("train", data_home=tmp_path, download=False)
    assert y.tolist() == [4, 4, 4]


def test_other_data_sets_sub_folder_is_not_used(tmp_path):
    _const_labels_subset(tmp_path / "mnist", "test", label=6)
    _, y = load_mnist("test", data_home=tmp_path, download=False)
    assert y.tolist() == [6, 6, 6]
    with pytest.raises(FileNotFoundError):
        load_fashion_mnist("test", data_home=tmp_path, download=False)


def test_both_files_must_be_in_the_same_folder(tmp_path):
    _const_labels_subset(tmp_path / "split", "test", label=7)
    image_name, label_name = FILES["test"]
    (tmp_path / "split" / image_name).rename(tmp_path / image_name)
    with pytest.raises(FileNotFoundError):
        load_mnist("test", data_home=tmp_path / "split", download=False)


def test_data_home_expands_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    _const_labels_subset(tmp_path / "data" / "mnist", "train", label=8)
    _, y = load_mnist("train", data_home="~/data", download=False)
    assert y.tolist() == [8, 8, 8]


# --------------------------------------------------------------------------- errors


def test_not_found_without_download_names_every_place(
    monkeypatch, tmp_path, keras_home
):
    calls = _patch_get_file(monkeypatch, _raise(AssertionError("no download")))
    home, env_dir = tmp_path / "home", tmp_path / "env"
    monkeypatch.setenv("SKAE_DATA", str(env_dir))

    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist("train", data_home=home, download=False)

    message = str(info.value)
    cache = keras_home / "datasets"
    for folder in (home, env_dir, cache):
        assert f"- {folder / 'fashion-mnist'}\n" in message
        assert f"- {folder}\n" in message
    assert "train-images-idx3-ubyte.gz" in message
    assert "download=False" in message
    assert "data_home" in message
    assert "SKAE_DATA" in message
    assert str(cache / "fashion-mnist") in message.rsplit("copy", 1)[-1]
    assert calls == []
    assert not (keras_home / "datasets").exists()  # nothing written


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize(
    "error",
    [
        OSError("simulated network failure"),
        Exception("URL fetch failure on https://example.invalid: None -- simulated"),
    ],
    ids=["OSError", "Exception"],
)
def test_download_failure_is_reported(monkeypatch, keras_home, name, error):
    calls = _patch_get_file(monkeypatch, _raise(error))

    with pytest.raises(FileNotFoundError) as info:
        LOADERS[name]("test")

    message = str(info.value)
    assert "Downloading failed" in message
    assert str(error) in message
    assert str(keras_home / "datasets" / name) in message
    image_name = FILES["test"][0]
    assert calls[0]["fname"] == image_name
    assert calls[0]["origin"] == BASE_URLS[name] + image_name
    assert Path(calls[0]["cache_dir"]) == keras_home
    assert calls[0]["cache_subdir"] == f"datasets/{name}"


@pytest.mark.parametrize("name", list(LOADERS))
def test_download_lands_in_keras_cache(monkeypatch, keras_home, name):
    images, labels = _random_subset(3, seed=2)
    staging = keras_home.parent / "upstream"
    _write_subset(staging, "train", images, labels)

    def fake_download(fname, origin=None, cache_dir=None, cache_subdir=None):
        target = Path(cache_dir) / cache_subdir / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staging / fname, target)
        return str(target)

    calls = _patch_get_file(monkeypatch, fake_download)
    X, y = LOADERS[name]("train", flatten=False, scale=False)
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)
    assert sorted(c["fname"] for c in calls) == sorted(FILES["train"])
    for fname in FILES["train"]:
        assert (keras_home / "datasets" / name / fname).is_file()

    # The next load finds the downloaded files without downloading again.
    X, y = LOADERS[name]("train", flatten=False, scale=False, download=False)
    np.testing.assert_array_equal(X, images)
    assert len(calls) == 2


def test_local_files_are_not_downloaded(monkeypatch, tmp_path):
    calls = _patch_get_file(monkeypatch, _raise(OSError("must not download")))
    _const_labels_subset(tmp_path, "test", label=9)
    _, y = load_fashion_mnist("test", data_home=tmp_path, download=True)
    assert y.tolist() == [9, 9, 9]
    assert calls == []


@pytest.mark.parametrize("loader", list(LOADERS.values()))
@pytest.mark.parametrize("subset", ["validation", "TRAIN", "", "t10k", None])
def test_invalid_subset(monkeypatch, loader, subset):
    calls = _patch_get_file(monkeypatch, _raise(OSError("must not download")))
    with pytest.raises(ValueError, match=r"'train', 'test'.*got " + repr(subset)):
        loader(subset)
    assert calls == []
