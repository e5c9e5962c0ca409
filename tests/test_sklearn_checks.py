"""scikit-learn's estimator checks, run on every public estimator."""

from _estimators import ALL_ESTIMATORS
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    ReconstructionOutlierDetector,
    SlidingWindows,
    TimeSeriesOutlierDetector,
)

# Every instance of the common suite, and the detector with its MAD threshold
# (no contamination) around PCA.
CHECKED = [clone(e) for e in ALL_ESTIMATORS] + [ReconstructionOutlierDetector(PCA(1))]


# A series estimator reads rows as consecutive time points, one window of them
# at a time; the checks that assume independent rows cannot hold for it.
SERIES_BY_DESIGN = {
    "check_methods_sample_order_invariance": "rows are time points: order matters",
    "check_methods_subset_invariance": "a point's score depends on its neighbours",
    "check_fit1d": "a 1-D array is a univariate series, accepted by design",
    "check_fit2d_predict1d": "a 1-D array is a univariate series, accepted by design",
}
WINDOWS_BY_DESIGN = {
    **SERIES_BY_DESIGN,
    "check_transformer_general": "transform returns one row per window, not per row",
    "check_transformer_data_not_an_array": "one row per window, not per row",
}


# The checks' data read as a series are smooth averages of independent rows;
# a median + 3 MAD rule need not flag any of them, as those checks require.
ROBUST_RULE = {
    name: "the robust 'auto' rule may flag no point of such smooth scores"
    for name in ("check_outliers_train", "check_outliers_fit_predict")
}


# With the nearest-window part, the training series scored again matches its
# own windows (fit skips those trivial matches), as LocalOutlierFactor with
# novelty=True: predict on it flags fewer points than the contamination.
SELF_MATCH = {
    name: "rescored training windows match themselves, so fewer are flagged"
    for name in ("check_outliers_train", "check_outliers_fit_predict")
}


def expected_failures(estimator) -> dict[str, str]:
    if isinstance(estimator, SlidingWindows):
        return WINDOWS_BY_DESIGN
    if isinstance(estimator, TimeSeriesOutlierDetector):
        if estimator.contamination == "auto":
            return {**SERIES_BY_DESIGN, **ROBUST_RULE}
        if estimator.discord:
            return {**SERIES_BY_DESIGN, **SELF_MATCH}
        return SERIES_BY_DESIGN
    return {}


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
