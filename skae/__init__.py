"""skae: scikit-learn-native autoencoders for Keras 3."""

from ._base import BaseAutoencoder
from ._denoising import DenoisingAutoencoder
from ._dense import DenseAutoencoder
from ._outlier import ReconstructionOutlierDetector
from ._persistence import load

__version__ = "0.1.0"

__all__ = [
    "BaseAutoencoder",
    "DenseAutoencoder",
    "DenoisingAutoencoder",
    "ReconstructionOutlierDetector",
    "load",
    "__version__",
]
