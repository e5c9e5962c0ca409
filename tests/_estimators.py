"""The instances the common test suite and scikit-learn's checks run on.

A new public estimator is covered by listing one small, fast instance here:
``tests/test_common.py`` fails until every public estimator is listed.
"""

from sklearn.decomposition import PCA

from skae import (
    CodeNeighbors,
    ConvAutoencoder,
    DenoisingAutoencoder,
    DenseAutoencoder,
    ReconstructionOutlierDetector,
    SequenceAutoencoder,
    SlidingWindows,
    TimeSeriesOutlierDetector,
    VariationalAutoencoder,
)

FAST = dict(epochs=3, batch_size=32, random_state=0)

AUTOENCODERS = [
    DenseAutoencoder(3, hidden_layer_sizes=(16,), **FAST),
    DenoisingAutoencoder(3, hidden_layer_sizes=(16,), noise_level=0.1, **FAST),
    ConvAutoencoder(3, filters=(8, 4), **FAST),
    VariationalAutoencoder(3, hidden_layer_sizes=(16,), **FAST),
    SequenceAutoencoder(3, units=(8,), **FAST),
]

DETECTORS = [
    ReconstructionOutlierDetector(DenseAutoencoder(3, **FAST), random_state=0),
    ReconstructionOutlierDetector(PCA(1), contamination=0.1, marginal_bins=None),
]

SEARCHES = [
    CodeNeighbors(DenseAutoencoder(3, **FAST), n_neighbors=5),
    CodeNeighbors("passthrough", n_neighbors=3),
]

# Estimators of one long series (one row per time point): they also take a
# 1-D array, as a univariate series.
SERIES = [
    SlidingWindows(window=8, stride=2),
    TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(DenseAutoencoder(3, **FAST)),
        window=8,
        random_state=0,
    ),
    TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(PCA(2), marginal_bins=None),
        window=4,
        contamination=0.1,
    ),
    TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(PCA(2), marginal_bins=None),
        window=4,
        contamination=0.1,
        discord=False,
    ),
]

ALL_ESTIMATORS = AUTOENCODERS + DETECTORS + SEARCHES + SERIES


def estimator_id(estimator) -> str:
    """A short test id: the class, and the inner estimator's for a meta-estimator."""
    inner = None
    for name in ("estimator", "encoder", "detector"):
        inner = inner if inner is not None else getattr(estimator, name, None)
    if inner is None:
        return type(estimator).__name__
    inner_name = inner if isinstance(inner, str) else estimator_id(inner)
    # The one option a suite instance differs in from another of its kind.
    detector_alone = getattr(estimator, "discord", True) is False
    suffix = ",discord=False" if detector_alone else ""
    return f"{type(estimator).__name__}[{inner_name}]{suffix}"
