"""The autoencoders: one base that owns the fit loop, one module per estimator."""

from ._base import BaseAutoencoder
from ._conv import ConvAutoencoder
from ._denoising import DenoisingAutoencoder
from ._dense import DenseAutoencoder
from ._sequence import SequenceAutoencoder
from ._variational import VariationalAutoencoder

__all__ = [
    "BaseAutoencoder",
    "ConvAutoencoder",
    "DenoisingAutoencoder",
    "DenseAutoencoder",
    "SequenceAutoencoder",
    "VariationalAutoencoder",
]
