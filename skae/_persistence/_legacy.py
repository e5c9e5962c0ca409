"""Reading archives of format 1 (skae 0.1: autoencoders only)."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from ._keras_bytes import model_from_bytes


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v) for v in value["__tuple__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def load_version_1(archive: zipfile.ZipFile, registry: dict, path):
    """Rebuild the autoencoder of a format-1 archive.

    Format 1 held ``estimator.json`` (class name, parameters, fitted
    attributes), ``arrays.npz`` and ``model.keras``.
    """
    meta = json.loads(archive.read("estimator.json"))
    if meta.get("format") != 1 or meta.get("class") not in registry:
        raise ValueError(f"{meta.get('class')!r} in format {meta.get('format')!r}")
    estimator = registry[meta["class"]](**_decode(meta["params"]))
    with np.load(io.BytesIO(archive.read("arrays.npz")), allow_pickle=False) as npz:
        for name in npz.files:
            value = npz[name]
            if name in meta["object_arrays"]:
                value = value.astype(object)
            setattr(estimator, name, value)
    for name, value in meta["attributes"].items():
        setattr(estimator, name, _decode(value))
    if "model.keras" in archive.namelist():
        estimator.__dict__.setdefault("input_shape_", (estimator.n_features_in_,))
        estimator._attach_networks(model_from_bytes(archive.read("model.keras")))
    return estimator
