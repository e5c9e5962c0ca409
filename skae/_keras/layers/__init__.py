"""Keras layers of skae, one per module."""

from ._input_corruption import NOISES, InputCorruption

__all__ = ["NOISES", "InputCorruption"]
