"""Keras' serialization without importing TensorFlow on the other backends.

``keras.saving.serialize_keras_object`` (under every ``get_config`` of a
layer or model) asks its lazy ``tensorflow`` module whether TensorFlow is
available before checking an object against TensorFlow's shape and dtype
types, and the question imports TensorFlow where it is installed: on JAX and
PyTorch that is seconds and hundreds of MiB for nothing, since while
TensorFlow is not imported no object can be of its types.
``tensorflow_left_unimported`` answers "no" for the block, only where Keras
has not answered yet and TensorFlow is not imported, and leaves the question
unanswered again afterwards. It relies on the private ``_available`` of
Keras' lazy module; where that is missing it does nothing.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import keras


def _lazy_tensorflow():
    """Keras' lazy ``tensorflow`` module, or None where it is not found."""
    try:
        from keras.src.utils import module_utils
    except ImportError:  # pragma: no cover - another Keras layout
        return None
    lazy = getattr(module_utils, "tensorflow", None)
    return lazy if hasattr(lazy, "_available") else None


@contextlib.contextmanager
def tensorflow_left_unimported() -> Iterator[None]:
    """For the block, Keras takes TensorFlow as unavailable unless it is the
    backend, is already imported, or Keras has already asked."""
    lazy = _lazy_tensorflow()
    if (
        lazy is None
        or keras.backend.backend() == "tensorflow"
        or "tensorflow" in sys.modules
        or lazy._available is not None
    ):
        yield
        return
    lazy._available = False
    try:
        yield
    finally:
        lazy._available = None


__all__ = ["tensorflow_left_unimported"]
