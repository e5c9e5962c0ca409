"""A Keras model as the bytes of its ``.keras`` archive, and back (safe mode)."""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

_MODEL_FILE = "model.keras"


def model_to_bytes(model: keras.Model) -> bytes:
    """Return ``model`` as the bytes of a ``.keras`` archive (weights, optimizer)."""
    from .._keras._copy_keyword_warning import copy_keyword_warning_hidden
    from .._keras._lazy_tensorflow import tensorflow_left_unimported

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, _MODEL_FILE)
        with tensorflow_left_unimported(), copy_keyword_warning_hidden():
            model.save(path)
        with open(path, "rb") as file:
            return file.read()


def model_from_bytes(data: bytes) -> keras.Model:
    """Load a model saved by :func:`model_to_bytes`, in Keras' safe mode."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, _MODEL_FILE)
        with open(path, "wb") as file:
            file.write(data)
        import keras  # here: importing skae's persistence needs no backend

        from .._keras._lazy_tensorflow import tensorflow_left_unimported

        with tensorflow_left_unimported():
            return keras.saving.load_model(path, safe_mode=True)
