"""Persistence: pickle support for Keras networks and the pickle-free archive."""

from ._archive import load, register, save
from ._keras_bytes import model_from_bytes, model_to_bytes

__all__ = ["load", "model_from_bytes", "model_to_bytes", "register", "save"]
