"""The pickle-free archive: any skae or scikit-learn estimator, fitted or not.

An archive is a zip file with three kinds of member:

- ``skae.json``: the format version and the object tree, in JSON. Objects are
  written as their class and their state (what ``__getstate__`` returns, as for
  pickle); arrays, byte strings and Keras models are references to the other
  members.
- ``arrays.npz``: every NumPy array, read back with ``allow_pickle=False``.
- ``blob-N``: byte strings, such as the ``.keras`` archive of a network, which
  Keras loads in its safe mode.

Loading builds objects only of classes registered by skae (:func:`register`)
or of scikit-learn estimators, and restores their state with
``__setstate__``: no code named by the file is run. A file that is not such an
archive, is truncated, or whose contents were altered into something else is
refused with a ``ValueError``.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import warnings
import zipfile

import numpy as np

FORMAT_VERSION = 2
_MANIFEST = "skae.json"
_ARRAYS = "arrays.npz"
_SKLEARN_MODULE = re.compile(r"sklearn(\.[A-Za-z_][A-Za-z0-9_]*)*")

_REGISTRY: dict[str, type] = {}
# Python types that estimators take as parameters (e.g. ``dtype=float``).
_BUILTIN_TYPES = {t.__name__: t for t in (bool, int, float, complex, str, object)}


# The subpackages whose modules register classes; ``load`` imports them all,
# since ``import skae`` loads its public names lazily.
_REGISTERING_PACKAGES = ("autoencoder", "outlier", "neighbors", "timeseries")


def _import_registering_modules() -> None:
    for package in _REGISTERING_PACKAGES:
        importlib.import_module(f"skae.{package}")


def register(cls: type) -> type:
    """Class decorator: let :func:`load` rebuild instances of ``cls``."""
    _REGISTRY[cls.__name__] = cls
    return cls


class _Writer:
    """Turns an object tree into JSON, collecting arrays and byte strings."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}
        self.blobs: dict[str, bytes] = {}

    def encode(self, value, where: str):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, np.generic):
            return self.encode(value.item(), where)
        if isinstance(value, np.dtype) or (
            isinstance(value, type) and issubclass(value, np.generic)
        ):
            kind = "dtype" if isinstance(value, np.dtype) else "scalar_type"
            return {"__" + kind + "__": np.dtype(value).str}
        if isinstance(value, type) and value in _BUILTIN_TYPES.values():
            return {"__builtin_type__": value.__name__}
        if isinstance(value, slice):
            parts = (value.start, value.stop, value.step)
            return {"__slice__": [self.encode(v, where) for v in parts]}
        if isinstance(value, np.ndarray):
            return self._array(value, where)
        if isinstance(value, bytes):
            name = f"blob-{len(self.blobs)}"
            self.blobs[name] = value
            return {"__bytes__": name}
        if isinstance(value, (list, tuple)):
            if value and _are_callbacks(value):
                warnings.warn(
                    "Keras callbacks are not saved; the loaded estimator has "
                    "callbacks=None.",
                    UserWarning,
                    stacklevel=4,
                )
                return None
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"__tuple__": items} if isinstance(value, tuple) else items
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                raise TypeError(f"cannot save {where}: a dict with non-string keys")
            return {
                "__dict__": {
                    k: self.encode(v, f"{where}.{k}") for k, v in value.items()
                }
            }
        return self._object(value, where)

    def _array(self, value: np.ndarray, where: str):
        name = f"a{len(self.arrays)}"
        if value.dtype == object:
            if not all(isinstance(v, str) for v in value.flat):
                raise TypeError(f"cannot save {where}: an object array of non-strings")
            self.arrays[name] = value.astype(str)
            return {"__array__": name, "object": True}
        self.arrays[name] = value
        return {"__array__": name}

    def _object(self, value, where: str):
        cls = type(value)
        if _REGISTRY.get(cls.__name__) is cls:
            class_name = "skae:" + cls.__name__
        elif _is_sklearn_estimator_class(cls):
            class_name = f"{cls.__module__}:{cls.__qualname__}"
        else:
            raise TypeError(
                f"cannot save {where}: {cls.__module__}.{cls.__qualname__} is "
                "neither a skae nor a scikit-learn estimator (use joblib for it)"
            )
        get_state = getattr(value, "__getstate__", None)
        state = (get_state() if get_state is not None else vars(value)) or {}
        return {"__object__": class_name, "state": self.encode(state, where)}


def _are_callbacks(values) -> bool:
    import keras

    return all(isinstance(v, keras.callbacks.Callback) for v in values)


def _is_sklearn_estimator_class(cls) -> bool:
    from sklearn.base import BaseEstimator

    return (
        isinstance(cls, type)
        and issubclass(cls, BaseEstimator)
        and _SKLEARN_MODULE.fullmatch(cls.__module__) is not None
    )


def save(obj, path: str | os.PathLike) -> None:
    """Write ``obj`` (a skae or scikit-learn estimator) to ``path`` without pickle.

    The file is written to a temporary name beside ``path`` and moved into
    place, so a failure leaves no half-written archive.
    """
    writer = _Writer()
    root = writer.encode(obj, type(obj).__name__)
    manifest = {"format": FORMAT_VERSION, "root": root}
    buffer = io.BytesIO()
    np.savez(buffer, **writer.arrays)
    path = os.fspath(path)
    partial = f"{path}.partial"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_MANIFEST, json.dumps(manifest))
            archive.writestr(_ARRAYS, buffer.getvalue())
            for name, data in writer.blobs.items():
                archive.writestr(name, data)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


class _Reader:
    """Rebuilds the object tree from JSON, arrays and byte strings."""

    def __init__(self, archive: zipfile.ZipFile, arrays):
        self.archive = archive
        self.arrays = arrays

    def decode(self, value):
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__tuple__" in value:
            return tuple(self.decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: self.decode(v) for k, v in value["__dict__"].items()}
        if "__array__" in value:
            array = self.arrays[value["__array__"]]
            return array.astype(object) if value.get("object") else array
        if "__bytes__" in value:
            return self.archive.read(value["__bytes__"])
        if "__dtype__" in value:
            return np.dtype(value["__dtype__"])
        if "__builtin_type__" in value:
            return _BUILTIN_TYPES[value["__builtin_type__"]]
        if "__slice__" in value:
            return slice(*(self.decode(v) for v in value["__slice__"]))
        if "__scalar_type__" in value:
            return np.dtype(value["__scalar_type__"]).type
        if "__object__" in value:
            cls = _resolve_class(value["__object__"])
            state = self.decode(value["state"])
            obj = cls.__new__(cls)
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise ValueError(f"unknown entry {sorted(value)}")


def _resolve_class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if module == "skae" and qualname in _REGISTRY:
        return _REGISTRY[qualname]
    if _SKLEARN_MODULE.fullmatch(module) and qualname.isidentifier():
        cls = getattr(importlib.import_module(module), qualname, None)
        if _is_sklearn_estimator_class(cls):
            return cls
    raise ValueError(
        f"refusing to build {name!r}: only skae and scikit-learn estimators load"
    )


def load(path: str | os.PathLike):
    """Load an estimator written by ``save``; no pickle is involved.

    Only skae classes and scikit-learn estimators are rebuilt, from their saved
    state; Keras networks load in Keras' safe mode. So a file cannot make
    loading run code of its choosing.

    Parameters
    ----------
    path : str or path-like
        The archive written by ``estimator.save(path)``.

    Returns
    -------
    estimator
        The skae estimator, fitted if it was saved fitted.

    Raises
    ------
    ValueError
        If the file is not a skae archive, is truncated or damaged, or names a
        class that may not be loaded.
    """
    _import_registering_modules()
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if _MANIFEST not in names:
                if "estimator.json" in names:
                    from ._legacy import load_version_1

                    return load_version_1(archive, _REGISTRY, path)
                raise ValueError("it holds no skae manifest")
            manifest = json.loads(archive.read(_MANIFEST))
            if manifest.get("format") != FORMAT_VERSION:
                raise ValueError(
                    f"unsupported archive format {manifest.get('format')!r} "
                    f"(this skae reads format {FORMAT_VERSION})"
                )
            with np.load(io.BytesIO(archive.read(_ARRAYS)), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            return _Reader(archive, arrays).decode(manifest["root"])
    except (zipfile.BadZipFile, EOFError) as error:
        raise ValueError(
            f"{os.fspath(path)} is not a skae archive, or it is truncated: {error}"
        ) from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"cannot load {os.fspath(path)}: {error}") from error
