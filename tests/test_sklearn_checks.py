"""scikit-learn's estimator checks, run on every public estimator."""

from sklearn.decomposition import PCA
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import DenoisingAutoencoder, DenseAutoencoder, ReconstructionOutlierDetector

ESTIMATORS = [
    DenseAutoencoder(epochs=2, batch_size=32, random_state=0),
    DenoisingAutoencoder(epochs=2, batch_size=32, random_state=0),
    ReconstructionOutlierDetector(
        DenseAutoencoder(epochs=2, batch_size=32), contamination=0.1, random_state=0
    ),
    ReconstructionOutlierDetector(PCA(1)),
    ReconstructionOutlierDetector(PCA(1), contamination=0.1, marginal_bins=None),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
