"""Pickle support and the pickle-free ``save`` / ``load`` of fitted estimators."""

from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
import zipfile

import keras
import numpy as np

FORMAT_VERSION = 1
_MODEL_FILE = "model.keras"
_META_FILE = "estimator.json"
_ARRAYS_FILE = "arrays.npz"
_NETWORK_ATTRIBUTES = ("model_", "encoder_", "decoder_")


def model_to_bytes(model: keras.Model) -> bytes:
    """Return ``model`` as the bytes of a ``.keras`` archive (weights, optimizer)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, _MODEL_FILE)
        model.save(path)
        with open(path, "rb") as file:
            return file.read()


def model_from_bytes(data: bytes) -> keras.Model:
    """Load a model saved by :func:`model_to_bytes`, in Keras' safe mode."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, _MODEL_FILE)
        with open(path, "wb") as file:
            file.write(data)
        return keras.saving.load_model(path, safe_mode=True)


def _encode(value):
    """Encode a parameter value as JSON, keeping tuples apart from lists."""
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save a value of type {type(value).__name__}: {value!r}")


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v) for v in value["__tuple__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def save_estimator(estimator, path: str | os.PathLike) -> None:
    """Write a fitted or unfitted skae estimator to a zip archive without pickle."""
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warnings.warn(
            "Keras callbacks are not saved; the loaded estimator has callbacks=None.",
            UserWarning,
            stacklevel=3,
        )
        params["callbacks"] = None
    attributes, arrays = {}, {}
    for name, value in vars(estimator).items():
        if (
            not name.endswith("_")
            or name.startswith("_")
            or name in _NETWORK_ATTRIBUTES
        ):
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value.astype(str) if value.dtype == object else value
        else:
            attributes[name] = _encode(value)
    meta = {
        "format": FORMAT_VERSION,
        "class": type(estimator).__name__,
        "params": _encode(params),
        "attributes": attributes,
        "object_arrays": [
            k
            for k, v in vars(estimator).items()
            if isinstance(v, np.ndarray) and v.dtype == object
        ],
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_META_FILE, json.dumps(meta, indent=1))
        archive.writestr(_ARRAYS_FILE, buffer.getvalue())
        if hasattr(estimator, "model_"):
            archive.writestr(_MODEL_FILE, model_to_bytes(estimator.model_))


def load(path: str | os.PathLike):
    """Load an estimator written by ``save``; no pickle is involved.

    Parameters
    ----------
    path : str or path-like
        The archive written by ``estimator.save(path)``.

    Returns
    -------
    estimator
        The skae estimator, fitted if it was saved fitted.
    """
    import skae

    estimators = {
        name: obj
        for name in skae.__all__
        if isinstance(obj := getattr(skae, name), type) and hasattr(obj, "get_params")
    }
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read(_META_FILE))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(
                f"{path}: unsupported skae archive format {meta.get('format')!r}."
            )
        if meta["class"] not in estimators:
            raise ValueError(f"{path}: {meta['class']!r} is not a skae estimator.")
        estimator = estimators[meta["class"]](**_decode(meta["params"]))
        with np.load(
            io.BytesIO(archive.read(_ARRAYS_FILE)), allow_pickle=False
        ) as arrays:
            for name in arrays.files:
                value = arrays[name]
                setattr(
                    estimator,
                    name,
                    value.astype(object) if name in meta["object_arrays"] else value,
                )
        for name, value in meta["attributes"].items():
            setattr(estimator, name, _decode(value))
        if _MODEL_FILE in archive.namelist():
            estimator._attach_networks(model_from_bytes(archive.read(_MODEL_FILE)))
    return estimator
