"""scikit-learn's estimator checks, run on every public estimator."""

from _estimators import ALL_ESTIMATORS
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import ReconstructionOutlierDetector

# Every instance of the common suite, and the detector with its MAD threshold
# (no contamination) around PCA.
CHECKED = [clone(e) for e in ALL_ESTIMATORS] + [ReconstructionOutlierDetector(PCA(1))]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
