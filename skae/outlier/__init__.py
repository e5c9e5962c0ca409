"""Anomaly detection by reconstruction: the detector, its error parts, thresholds."""

from ._detector import (
    ReconstructionOutlierDetector,
    default_autoencoder,
    has_marginal_part,
    sums_tail_statistics,
)

__all__ = [
    "ReconstructionOutlierDetector",
    "default_autoencoder",
    "has_marginal_part",
    "sums_tail_statistics",
]
