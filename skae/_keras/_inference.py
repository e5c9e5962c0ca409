"""Predictions of a Keras model, batch by batch, without Keras' data pipeline."""

from __future__ import annotations

import keras
import numpy as np

from ._copy_keyword_warning import copy_keyword_warning_hidden
from ._devices import batch_shards, strategy_in_scope


def predict_in_batches(model: keras.Model, X: np.ndarray, batch_size: int):
    """Return ``model``'s outputs on ``X``, computed ``batch_size`` rows at a time.

    ``Model.predict`` builds a data adapter, an iterator and callbacks at
    every call: about 0.2 s on TensorFlow, more than the network's own time on
    small data. ``predict_on_batch`` reuses the model's compiled prediction
    function, so this loop costs the network's time alone. Under a
    distribution (JAX's batch sharding, a TensorFlow strategy) the batches are
    left to ``Model.predict``, which places them on the devices.

    Parameters
    ----------
    model : keras.Model
        A built model.
    X : ndarray of shape (n_samples, ...)
        Its input.
    batch_size : int
        Rows per call.

    Returns
    -------
    ndarray, or a list of ndarrays for a model of several outputs
        One row per row of ``X``, float32 whatever the dtype policy.
    """
    with copy_keyword_warning_hidden():
        if batch_shards() > 1 or strategy_in_scope():
            return _as_float32(model.predict(X, batch_size=batch_size, verbose=0))
        batches = [
            _as_float32(model.predict_on_batch(X[start : start + batch_size]))
            for start in range(0, max(len(X), 1), batch_size)
        ]
    if len(batches) == 1:
        return batches[0]
    if isinstance(batches[0], list | tuple):
        return [np.concatenate(parts) for parts in zip(*batches, strict=True)]
    return np.concatenate(batches)


def _as_float32(outputs):
    """``outputs`` (an array or a list of them) as float32 arrays: a model
    under a mixed-precision policy computes in float16 or bfloat16, and skae's
    outputs are float32 whatever the policy."""
    if isinstance(outputs, list | tuple):
        return [_as_float32(o) for o in outputs]
    return np.asarray(outputs).astype(np.float32, copy=False)
