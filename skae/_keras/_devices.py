"""Several devices: what an active Keras distribution or TF strategy asks of batches.

A fit inside ``keras.distribution.DataParallel(...).scope()`` (JAX) splits every
batch over the devices of the mesh's batch axis, and JAX refuses a batch that
does not split evenly. Inside a TensorFlow ``tf.distribute`` strategy, Keras'
loop of several steps per compiled call fails, one step per call works.
"""

from __future__ import annotations

import keras
import numpy as np


def batch_shards() -> int:
    """Return how many parts each batch is split into (1 without a distribution)."""
    if keras.backend.backend() != "jax":
        return 1
    distribution = keras.distribution.distribution()
    if distribution is None:
        return 1
    mesh = distribution.device_mesh
    sizes = dict(zip(mesh.axis_names, mesh.shape, strict=True))
    return int(sizes.get(getattr(distribution, "batch_dim_name", None), 1))


def strategy_in_scope() -> bool:
    """Return whether a TensorFlow distribution strategy is in scope."""
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return tf.distribute.has_strategy()


def pad_rows(arrays: list, multiple: int, rng: np.random.Generator) -> list:
    """Pad arrays with repeats of random rows to a multiple of ``multiple`` rows.

    The same rows are repeated in every array (inputs and targets stay paired);
    nothing is dropped, and at most ``multiple - 1`` rows are added.
    """
    n_rows = len(arrays[0])
    extra = -n_rows % multiple
    if extra == 0:
        return arrays
    rows = rng.choice(n_rows, extra, replace=extra > n_rows)
    return [np.concatenate([a, a[rows]]) for a in arrays]


def predict_in_shards(predict, X: np.ndarray, multiple: int):
    """Return ``predict(X)`` with ``X`` padded to a multiple of rows, trimmed back.

    ``predict`` may return an array or a list of arrays (a model of several
    outputs); each is cut back to ``len(X)`` rows.
    """
    extra = -len(X) % multiple
    if extra == 0:
        return predict(X)
    padded = np.concatenate([X, np.repeat(X[-1:], extra, axis=0)])
    outputs = predict(padded)
    if isinstance(outputs, list | tuple):
        return type(outputs)(output[: len(X)] for output in outputs)
    return outputs[: len(X)]
