"""Loaders for the MNIST and Fashion-MNIST image data sets.

Both data sets are read from the four standard gzip-compressed IDX files
(``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz``).  The files
are looked for, in this order, in

1. the ``data_home`` argument, when given;
2. the folder named by the ``SKAE_DATA`` environment variable, when set;
3. the Keras cache, ``$KERAS_HOME/datasets`` when ``KERAS_HOME`` is set and
   ``~/.keras/datasets`` otherwise.

Each of these folders is checked both as ``<folder>/<data-set-name>/<file>``
and as ``<folder>/<file>``, where the data-set name is ``fashion-mnist`` or
``mnist``.  When the files are not found anywhere they are downloaded (unless
``download=False``) with :func:`keras.utils.get_file` into
``<keras cache>/datasets/<data-set-name>/``, the same place that
:func:`keras.datasets.fashion_mnist.load_data` uses.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["load_fashion_mnist", "load_mnist"]

_ENV_VAR = "SKAE_DATA"
_IMAGE_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
_LABEL_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
_IMAGE_SHAPE = (28, 28)
_CHUNK_SIZE = 1 << 20
_SUBSETS = ("train", "test")
_FILE_NAMES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


@dataclass(frozen=True)
class _DataSet:
    """Where one data set lives: folder name, display title and download URL."""

    name: str
    title: str
    base_url: str


_FASHION_MNIST = _DataSet(
    name="fashion-mnist",
    title="Fashion-MNIST",
    base_url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)
_MNIST = _DataSet(
    name="mnist",
    title="MNIST",
    base_url="https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def load_fashion_mnist(
    subset: str = "train",
    *,
    data_home: str | os.PathLike[str] | None = None,
    flatten: bool = True,
    scale: bool = True,
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the Fashion-MNIST data set (Zalando, 28x28 grey-scale clothing images).

    Ten classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat,
    5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.  The training subset
    holds 60,000 images and the test subset 10,000, balanced over the classes.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        Which of the two official splits to load.
    data_home : str or os.PathLike, optional
        Folder searched first for the four IDX files, either directly or in a
        ``fashion-mnist`` sub-folder.
    flatten : bool, default=True
        If True, ``X`` has shape ``(n_samples, 784)``; otherwise
        ``(n_samples, 28, 28)``.
    scale : bool, default=True
        If True, ``X`` is float32 with the pixel values divided by 255, so in
        ``[0, 1]``; otherwise ``X`` holds the raw uint8 pixel values.
    download : bool, default=True
        If True and the files are not found locally, download them into the
        Keras cache with :func:`keras.utils.get_file`.

    Returns
    -------
    X : numpy.ndarray
        The images, float32 in ``[0, 1]`` or uint8 (see ``scale``), of shape
        ``(n_samples, 784)`` or ``(n_samples, 28, 28)`` (see ``flatten``).
    y : numpy.ndarray of shape (n_samples,)
        The class labels, uint8 in ``0..9``.

    Raises
    ------
    ValueError
        If ``subset`` is not ``"train"`` or ``"test"``, or if a file is not a
        well-formed gzip IDX file of the expected kind.
    FileNotFoundError
        If the files are not found locally and could not be downloaded.

    See Also
    --------
    load_mnist : The same loader for the MNIST hand-written digits.

    Notes
    -----
    Files are looked for in ``data_home``, then in the folder named by the
    ``SKAE_DATA`` environment variable, then in the Keras cache
    (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), each folder both with
    and without a ``fashion-mnist`` sub-folder.  The sub-folder is checked
    first; prefer it, since MNIST and Fashion-MNIST use the same file names.

    Examples
    --------
    >>> from skae.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist("test")  # doctest: +SKIP
    >>> X.shape, X.dtype, y.shape  # doctest: +SKIP
    ((10000, 784), dtype('float32'), (10000,))
    """
    return _load(
        _FASHION_MNIST,
        subset,
        data_home=data_home,
        flatten=flatten,
        scale=scale,
        download=download,
    )


def load_mnist(
    subset: str = "train",
    *,
    data_home: str | os.PathLike[str] | None = None,
    flatten: bool = True,
    scale: bool = True,
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the MNIST data set of hand-written digits (28x28 grey-scale images).

    Ten classes, the digits 0 to 9.  The training subset holds 60,000 images
    and the test subset 10,000.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        Which of the two official splits to load.
    data_home : str or os.PathLike, optional
        Folder searched first for the four IDX files, either directly or in an
        ``mnist`` sub-folder.
    flatten : bool, default=True
        If True, ``X`` has shape ``(n_samples, 784)``; otherwise
        ``(n_samples, 28, 28)``.
    scale : bool, default=True
        If True, ``X`` is float32 with the pixel values divided by 255, so in
        ``[0, 1]``; otherwise ``X`` holds the raw uint8 pixel values.
    download : bool, default=True
        If True and the files are not found locally, download them into the
        Keras cache with :func:`keras.utils.get_file`.

    Returns
    -------
    X : numpy.ndarray
        The images, float32 in ``[0, 1]`` or uint8 (see ``scale``), of shape
        ``(n_samples, 784)`` or ``(n_samples, 28, 28)`` (see ``flatten``).
    y : numpy.ndarray of shape (n_samples,)
        The digit labels, uint8 in ``0..9``.

    Raises
    ------
    ValueError
        If ``subset`` is not ``"train"`` or ``"test"``, or if a file is not a
        well-formed gzip IDX file of the expected kind.
    FileNotFoundError
        If the files are not found locally and could not be downloaded.

    See Also
    --------
    load_fashion_mnist : The same loader for Fashion-MNIST.

    Notes
    -----
    Files are looked for in ``data_home``, then in the folder named by the
    ``SKAE_DATA`` environment variable, then in the Keras cache
    (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), each folder both with
    and without an ``mnist`` sub-folder.  The sub-folder is checked first;
    prefer it, since MNIST and Fashion-MNIST use the same file names.

    Unlike :func:`keras.datasets.mnist.load_data`, which reads a single
    ``mnist.npz``, this loader reads the four original IDX files; downloads
    go to ``<keras cache>/datasets/mnist/``.

    Examples
    --------
    >>> from skae.datasets import load_mnist
    >>> X, y = load_mnist("train", flatten=False, scale=False)  # doctest: +SKIP
    >>> X.shape, X.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    return _load(
        _MNIST,
        subset,
        data_home=data_home,
        flatten=flatten,
        scale=scale,
        download=download,
    )


def _load(
    dataset: _DataSet,
    subset: str,
    *,
    data_home: str | os.PathLike[str] | None,
    flatten: bool,
    scale: bool,
    download: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Find (or download), parse, check and convert one subset of a data set."""
    if not isinstance(subset, str) or subset not in _SUBSETS:
        allowed = ", ".join(repr(s) for s in _SUBSETS)
        raise ValueError(f"subset must be one of {allowed}; got {subset!r}.")
    image_path, label_path = _find_files(dataset, subset, data_home, download)

    images = _read_idx(image_path, _IMAGE_MAGIC)
    labels = _read_idx(label_path, _LABEL_MAGIC)
    if images.shape[1:] != _IMAGE_SHAPE:
        raise ValueError(
            f"{image_path}: expected {_IMAGE_SHAPE[0]}x{_IMAGE_SHAPE[1]} images, "
            f"found {images.shape[1]}x{images.shape[2]}."
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"The {dataset.title} {subset!r} files disagree on the number of "
            f"samples: {images.shape[0]} images in {image_path} but "
            f"{labels.shape[0]} labels in {label_path}."
        )

    if flatten:
        images = images.reshape(images.shape[0], math.prod(_IMAGE_SHAPE))
    if scale:
        # Stays float32 throughout: no float64 temporary is ever created.
        images = np.divide(images, np.float32(255), dtype=np.float32)
    return images, labels


def _keras_cache_dir() -> Path:
    """Return the Keras cache folder: ``$KERAS_HOME`` or ``~/.keras``."""
    keras_home = os.environ.get("KERAS_HOME")
    if keras_home:
        return Path(keras_home).expanduser()
    return Path("~", ".keras").expanduser()


def _search_dirs(
    dataset: _DataSet, data_home: str | os.PathLike[str] | None
) -> list[Path]:
    """Return the folders to search, in order of preference, without repeats."""
    roots: list[Path] = []
    if data_home is not None:
        roots.append(Path(data_home).expanduser())
    env_home = os.environ.get(_ENV_VAR)
    if env_home:
        roots.append(Path(env_home).expanduser())
    roots.append(_keras_cache_dir() / "datasets")

    dirs: list[Path] = []
    for root in roots:
        for folder in (root / dataset.name, root):
            if folder not in dirs:
                dirs.append(folder)
    return dirs


def _find_files(
    dataset: _DataSet,
    subset: str,
    data_home: str | os.PathLike[str] | None,
    download: bool,
) -> tuple[Path, Path]:
    """Return the paths of the image and label files of ``subset``.

    The first searched folder that holds both files wins; failing that the
    files are downloaded, if allowed.
    """
    image_name, label_name = _FILE_NAMES[subset]
    searched = _search_dirs(dataset, data_home)
    for folder in searched:
        image_path, label_path = folder / image_name, folder / label_name
        if image_path.is_file() and label_path.is_file():
            return image_path, label_path

    if not download:
        reason = "Downloading was disabled (download=False)."
    else:
        try:
            return _download(dataset, image_name, label_name)
        except Exception as exc:  # get_file raises a bare Exception on URL errors
            reason = f"Downloading failed: {type(exc).__name__}: {exc}"
    raise FileNotFoundError(_not_found_message(dataset, subset, searched, reason))


def _download(dataset: _DataSet, image_name: str, label_name: str) -> tuple[Path, Path]:
    """Download two files into ``<keras cache>/datasets/<name>/``, return paths."""
    import keras  # Imported lazily: keras is slow to import.

    cache_dir = _keras_cache_dir()
    # get_file falls back to /tmp/.keras when cache_dir is not writable, and a
    # folder that does not exist yet is not writable, so create it first.
    # If that fails, get_file picks its own fallback; we use the paths it returns.
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
    image_path, label_path = (
        Path(
            keras.utils.get_file(
                name,
                origin=dataset.base_url + name,
                cache_dir=str(cache_dir),
                cache_subdir=f"datasets/{dataset.name}",
            )
        )
        for name in (image_name, label_name)
    )
    return image_path, label_path


def _not_found_message(
    dataset: _DataSet, subset: str, searched: list[Path], reason: str
) -> str:
    """Explain which files are missing, where they were looked for and what to do."""
    wanted = ", ".join(_FILE_NAMES[subset])
    looked = "\n".join(f"  - {folder}" for folder in searched)
    all_files = ", ".join(name for pair in _FILE_NAMES.values() for name in pair)
    cache = _keras_cache_dir() / "datasets" / dataset.name
    return (
        f"Could not find the {dataset.title} {subset!r} files ({wanted}).\n"
        f"Looked in these folders, in this order:\n{looked}\n"
        f"{reason}\n"
        f"To fix this, do one of the following: pass data_home=<folder> naming a "
        f"folder that holds the files (directly or in a {dataset.name!r} "
        f"sub-folder); set the {_ENV_VAR} environment variable to such a folder; "
        f"or copy the four files ({all_files}) into {cache}."
    )


def _read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """Read a gzip-compressed IDX file of unsigned bytes.

    Parameters
    ----------
    path : pathlib.Path
        The ``.gz`` file.
    expected_magic : int
        The magic number the file must start with; its last byte is the
        number of dimensions (2049: 1-d labels, 2051: 3-d images).

    Returns
    -------
    numpy.ndarray
        A writable uint8 array with the shape given in the header.

    Raises
    ------
    ValueError
        On a bad magic number, a truncated header or payload, data beyond the
        declared size, or a corrupt gzip stream.
    """
    ndim = expected_magic & 0xFF
    try:
        with gzip.open(path, "rb") as f:
            header = f.read(4 + 4 * ndim)
            if len(header) < 4 + 4 * ndim:
                raise ValueError(
                    f"{path}: truncated IDX header ({len(header)} bytes, "
                    f"expected {4 + 4 * ndim})."
                )
            magic = int.from_bytes(header[:4], "big")
            if magic != expected_magic:
                raise ValueError(
                    f"{path}: bad IDX magic number {magic}, expected "
                    f"{expected_magic} ({'images' if ndim == 3 else 'labels'}). "
                    "Is this the right file?"
                )
            shape = tuple(int(d) for d in np.frombuffer(header[4:], dtype=">i4"))
            if any(d < 0 for d in shape):
                raise ValueError(f"{path}: negative size in IDX header {shape}.")
            payload = _read_payload(f, math.prod(shape))
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(
            f"{path} is not a valid gzip file or is corrupt ({exc}). "
            "Delete it and download or copy it again."
        ) from exc

    n_expected = math.prod(shape)
    if len(payload) < n_expected:
        raise ValueError(
            f"{path}: truncated data, the header declares shape {shape} "
            f"({n_expected} bytes) but only {len(payload)} bytes follow."
        )
    if len(payload) > n_expected:
        raise ValueError(
            f"{path}: size mismatch, the header declares shape {shape} "
            f"({n_expected} bytes) but more data follows."
        )
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape)


def _read_payload(f: gzip.GzipFile, n_bytes: int) -> bytearray:
    """Read up to ``n_bytes + 1`` bytes (one extra reveals trailing data).

    Reading in chunks keeps memory bounded by the data actually present, even
    if a corrupt header declares a huge size; a bytearray makes the returned
    array writable.  When the size is right, the final read reaches the end of
    the gzip stream, so its CRC is checked.
    """
    buffer = bytearray()
    while len(buffer) <= n_bytes:
        chunk = f.read(min(_CHUNK_SIZE, n_bytes + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer
