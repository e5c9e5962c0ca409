"""Keras-only internals: the training model, layers, network builders, compile
options, the training monitor and the learning-rate schedule. Nothing here knows
about scikit-learn."""

from ._autoencoder_model import AutoencoderModel
from ._compile import KERAS_LOSSES, compile_model, make_optimizer, uses_xla
from ._monitor import TrainingMonitor
from ._schedule import CosineDecay

__all__ = [
    "KERAS_LOSSES",
    "AutoencoderModel",
    "CosineDecay",
    "TrainingMonitor",
    "compile_model",
    "make_optimizer",
    "uses_xla",
]
