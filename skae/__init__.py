"""skae: scikit-learn-native autoencoders for Keras 3."""

from . import _quiet_backend  # noqa: F401  (first: imports Keras quietly)
from ._persistence import load
from .autoencoder import (
    BaseAutoencoder,
    ConvAutoencoder,
    DenoisingAutoencoder,
    DenseAutoencoder,
    SequenceAutoencoder,
    VariationalAutoencoder,
)
from .neighbors import CodeNeighbors
from .outlier import ReconstructionOutlierDetector
from .timeseries import SlidingWindows, TimeSeriesOutlierDetector

__version__ = "0.2.0.dev0"

__all__ = [
    "BaseAutoencoder",
    "ConvAutoencoder",
    "DenseAutoencoder",
    "DenoisingAutoencoder",
    "VariationalAutoencoder",
    "SequenceAutoencoder",
    "ReconstructionOutlierDetector",
    "CodeNeighbors",
    "SlidingWindows",
    "TimeSeriesOutlierDetector",
    "load",
    "__version__",
]
