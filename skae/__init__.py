"""skae: scikit-learn-native autoencoders for Keras 3.

The public names are loaded from their subpackages on first use, so ``import
skae`` does not import Keras or its backend until an estimator is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import _quiet_backend  # noqa: F401  (first: Keras' first import is quiet)

__version__ = "0.2.0.dev0"

# Where each public name lives.
_PUBLIC = {
    "BaseAutoencoder": "autoencoder",
    "ConvAutoencoder": "autoencoder",
    "DenseAutoencoder": "autoencoder",
    "DenoisingAutoencoder": "autoencoder",
    "VariationalAutoencoder": "autoencoder",
    "SequenceAutoencoder": "autoencoder",
    "ReconstructionOutlierDetector": "outlier",
    "CodeNeighbors": "neighbors",
    "SlidingWindows": "timeseries",
    "TimeSeriesOutlierDetector": "timeseries",
    "load": "_persistence",
}

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

if TYPE_CHECKING:
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


# Subpackages reachable as attributes, ``skae.plotting`` after ``import skae``.
_SUBPACKAGES = (
    "autoencoder",
    "cli",
    "datasets",
    "distributed",
    "metrics",
    "neighbors",
    "outlier",
    "plotting",
    "timeseries",
)


def __getattr__(name: str):
    """Import a public name or subpackage on first access (PEP 562)."""
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _PUBLIC:
        raise AttributeError(f"module 'skae' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBPACKAGES})
