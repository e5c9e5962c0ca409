"""scikit-learn's estimator checks, run on every public estimator."""

from _estimators import ALL_ESTIMATORS
from _platform import batch_changes_float32_rows
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    BaseAutoencoder,
    CodeNeighbors,
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


# These two checks compare a row's outputs across batches at float64 tolerance;
# tests/test_common.py checks the same at float32 tolerance on every machine.
BATCH_DEPENDENT_ROUNDING = {
    name: "this CPU's float32 kernels round a row differently in another batch"
    for name in (
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
    )
}


def runs_a_network(estimator) -> bool:
    """Whether the estimator's outputs come from a Keras network."""
    if isinstance(estimator, BaseAutoencoder):
        return True
    if isinstance(estimator, ReconstructionOutlierDetector):
        return estimator.estimator is None or runs_a_network(estimator.estimator)
    if isinstance(estimator, CodeNeighbors):
        return estimator.encoder is None or runs_a_network(estimator.encoder)
    return False


def expected_failures(estimator) -> dict[str, str]:
    if runs_a_network(estimator) and batch_changes_float32_rows():
        return BATCH_DEPENDENT_ROUNDING
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
