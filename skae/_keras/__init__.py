"""Keras-only internals: the training model, layers, network builders, compile
options and the training monitor. Nothing here knows about scikit-learn."""

from ._autoencoder_model import AutoencoderModel
from ._compile import KERAS_LOSSES, compile_model, make_optimizer
from ._monitor import TrainingMonitor

__all__ = [
    "KERAS_LOSSES",
    "AutoencoderModel",
    "TrainingMonitor",
    "compile_model",
    "make_optimizer",
]
