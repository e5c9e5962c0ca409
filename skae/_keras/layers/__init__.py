"""Keras layers of skae, one per module."""

from ._gaussian_sampling import GaussianSampling, kl_divergence
from ._input_corruption import NOISES, InputCorruption

__all__ = ["NOISES", "GaussianSampling", "InputCorruption", "kl_divergence"]
