"""skae.timeseries: windows and their inverse, the window rule, and the detector."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest

from skae import (
    DenseAutoencoder,
    ReconstructionOutlierDetector,
    SequenceAutoencoder,
    SlidingWindows,
    TimeSeriesOutlierDetector,
)
from skae._utils import _nearest as nearest_module
from skae._utils._nearest import nearest_distances
from skae.timeseries import _detector as detector_module
from skae.timeseries import estimate_period, mask_to_intervals, to_time_points
from skae.timeseries._period import choose_window

FAST = dict(epochs=3, batch_size=64, random_state=0)


def noisy_sine(n_times: int, period: int, seed: int = 0) -> np.ndarray:
    rng = np.random.RandomState(seed)
    return np.sin(2 * np.pi * np.arange(n_times) / period) + 0.1 * rng.randn(n_times)


# ------------------------------------------------------------------- windows


@settings(max_examples=40, deadline=None)
@given(
    n_times=st.integers(1, 60),
    window=st.integers(1, 12),
    stride=st.integers(1, 7),
    aggregate=st.sampled_from(["mean", "max"]),
    seed=st.integers(0, 1000),
)
def test_windows_cover_every_point_and_map_back_exactly(
    n_times, window, stride, aggregate, seed
):
    if n_times < max(window, 2) or stride > window:
        with pytest.raises(ValueError):
            SlidingWindows(window, stride=stride).fit(np.arange(float(n_times)))
        return
    series = np.random.RandomState(seed).randn(n_times, 2)
    windows = SlidingWindows(window, stride=stride).fit(series)
    cut = windows.transform(series)
    starts = windows.starts(n_times)
    assert cut.shape == (len(starts), window, 2)
    assert starts[0] == 0 and starts[-1] == n_times - window
    for start, piece in zip(starts, cut, strict=True):
        assert_array_equal(piece, series[start : start + window])
    values = np.random.RandomState(seed + 1).randn(len(starts))
    reduce = np.mean if aggregate == "mean" else np.max
    expected = [
        reduce([v for s, v in zip(starts, values, strict=True) if s <= t < s + window])
        for t in range(n_times)
    ]
    mapped = windows.to_time_points(values, n_times, aggregate=aggregate)
    assert_allclose(mapped, expected)  # every point covered: no NaN


def test_flat_windows_are_time_major():
    series = np.arange(12.0).reshape(6, 2)  # 6 time points, 2 features
    flat = SlidingWindows(3, stride=3, flatten=True).fit(series).transform(series)
    assert_array_equal(flat, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])


def test_to_time_points_checks_its_input():
    with pytest.raises(ValueError, match="3 window values for 2 window starts"):
        to_time_points([1.0, 2.0, 3.0], [0, 1], 5, 3)
    with pytest.raises(ValueError, match="aggregate must be one of"):
        to_time_points([1.0], [0], 3, 3, aggregate="median")
    # A point no window covers is NaN, not a made-up value.
    assert np.isnan(to_time_points([1.0], [0], 5, 3)[4])


def test_an_extreme_window_value_stays_in_the_points_it_covers():
    starts = np.arange(16)  # 20 points, windows of 5
    for extreme in (np.inf, np.nan, 1e300):
        values = np.full(16, 1e-3)
        values[2] = extreme
        points = to_time_points(values, starts, 20, 5)
        assert_allclose(points[7:], 1e-3)  # after the windows holding it
        assert np.all(np.isnan(points[2:7]) if np.isnan(extreme) else points[2:7] > 1)


def test_windows_in_a_pipeline_before_an_estimator_of_tables():
    from sklearn.pipeline import make_pipeline

    series = noisy_sine(400, 20)
    pipe = make_pipeline(SlidingWindows(20, flatten=True), PCA(3)).fit(series)
    assert pipe.transform(series).shape == (381, 3)


def test_a_series_shorter_than_the_window_is_refused():
    windows = SlidingWindows(10).fit(np.zeros(50))
    with pytest.raises(ValueError, match="9 time points is shorter than the window"):
        windows.transform(np.zeros(9))


# ------------------------------------------------------------ the window rule


@pytest.mark.parametrize("period", [12, 50, 137])
def test_the_period_of_a_noisy_sine_is_found(period):
    assert abs(estimate_period(noisy_sine(5000, period)) - period) <= 1


def test_white_noise_has_no_period_and_gets_the_fallback_window():
    noise = np.random.RandomState(0).randn(5000)
    assert estimate_period(noise) is None
    assert choose_window(noise) == 32
    assert SlidingWindows().fit(noise).window_ == 32


def test_the_auto_window_reads_the_training_series_and_is_clipped():
    assert SlidingWindows().fit(noisy_sine(3000, 40)).window_ in (39, 40, 41)
    # A constant feature beside the periodic one does not hide the period.
    both = np.c_[noisy_sine(3000, 40), np.ones(3000)]
    assert SlidingWindows().fit(both).window_ in (39, 40, 41)
    # Never more than half the series, never below 1.
    assert SlidingWindows().fit(np.random.RandomState(0).randn(20)).window_ == 10


# ---------------------------------------------------------------- the detector


class RowCounter(OutlierMixin, BaseEstimator):
    """A detector that remembers what it was fitted on and scores a row's sum."""

    def fit(self, X, y=None):
        self.fit_shape_ = X.shape
        return self

    def score_samples(self, X):
        return -np.asarray(X).sum(axis=1)


class FailingDetector(RowCounter):
    def fit(self, X, y=None):
        raise RuntimeError("no fit")


@pytest.fixture(scope="module")
def anomalous_series():
    """A noisy sine (period 40) with a spike, a level shift and a faster stretch
    after a normal training part of 2 000 points; the anomalies' extents."""
    series = noisy_sine(4000, 40, seed=1)
    t = np.arange(4000)
    series[2400:2403] += 3.0
    series[2900:2960] += 1.5
    series[3400:3480] = np.sin(2 * np.pi * t[3400:3480] / 9) + 0.1
    return series, [(2400, 2403), (2900, 2960), (3400, 3480)]


@pytest.mark.parametrize(
    "detector",
    [
        None,
        ReconstructionOutlierDetector(SequenceAutoencoder(8, units=(16,), **FAST)),
    ],
    ids=["default", "sequence"],
)
def test_injected_anomalies_score_worst(anomalous_series, detector):
    series, anomalies = anomalous_series
    model = TimeSeriesOutlierDetector(detector, random_state=0)
    if detector is not None:
        model.set_params(max_fit_windows=1000)
    model.fit(series[:2000])
    assert model.windows_.window_ in (39, 40, 41)
    scores = model.score_samples(series)
    assert scores.shape == (4000,)
    window = model.windows_.window_
    near = np.zeros(4000, dtype=bool)
    for begin, end in anomalies:
        near[max(begin - window, 0) : end + window] = True
    clean_worst = scores[2000:][~near[2000:]].min()
    for begin, end in anomalies:
        assert scores[begin:end].min() < clean_worst, (begin, end)


def test_scores_are_aligned_with_time():
    series = noisy_sine(4000, 40, seed=1)
    series[2400:2403] += 3.0
    model = TimeSeriesOutlierDetector(
        IsolationForest(random_state=0), window=40, contamination=0.01
    ).fit(series[:2000])
    scores = model.score_samples(series)
    # Shifting the series shifts the scores with it.
    shifted = model.score_samples(series[100:])
    assert_allclose(shifted[200:-200], scores[300:-200], rtol=1e-9)
    worst = int(np.argmin(scores))
    assert 2400 - 40 <= worst < 2403 + 40


def test_predict_intervals_and_the_contamination_threshold(anomalous_series):
    series, _ = anomalous_series
    model = TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(PCA(4), marginal_bins=None),
        window=40,
        contamination=0.05,
        discord=False,  # scored again, training windows would match themselves
    ).fit(series[:2000])
    flagged_training = np.mean(model.predict(series[:2000]) == -1)
    assert flagged_training == pytest.approx(0.05, abs=0.01)
    labels = model.predict(series)
    assert_array_equal(labels == -1, model.decision_function(series) < 0)
    intervals = model.anomalous_intervals(series)
    assert intervals.shape[1] == 2 and np.all(intervals[:, 0] < intervals[:, 1])
    assert any(start <= 2401 < stop for start, stop in intervals)
    rebuilt = np.zeros(4000, dtype=bool)
    for start, stop in intervals:
        rebuilt[start:stop] = True
    assert_array_equal(rebuilt, labels == -1)


def test_auto_contamination_is_a_robust_rule_on_the_training_points():
    # With one-point windows the anomaly score is the value itself, here
    # lognormal: the rule flags its upper 3-sigma tail on the log scale.
    values = np.random.RandomState(0).lognormal(size=20000)
    model = TimeSeriesOutlierDetector(
        RowCounter(), window=1, normalize=None, discord=False
    )
    model.fit(values)
    assert np.mean(model.predict(values) == -1) == pytest.approx(0.00135, abs=0.001)
    # The same rule on the points' scores whatever the detector of windows.
    series = noisy_sine(3000, 40)
    inner = ReconstructionOutlierDetector(PCA(4), marginal_bins=None)
    model = TimeSeriesOutlierDetector(inner, window=40, discord=False).fit(series)
    log_errors = np.log(-model.score_samples(series))
    median = np.median(log_errors)
    cut = median + 3 * 1.4826 * np.median(np.abs(log_errors - median))
    assert model.offset_ == pytest.approx(-np.exp(cut), rel=1e-9)


def test_window_normalization_compares_shapes():
    series = noisy_sine(1500, 30)
    inner = ReconstructionOutlierDetector(PCA(4), marginal_bins=None)
    shape = TimeSeriesOutlierDetector(inner, window=30).fit(series[:1000])
    # A shift of level or a change of scale leaves every window's shape.
    assert_allclose(
        shape.score_samples(5 + 3 * series), shape.score_samples(series), rtol=1e-6
    )
    raw = TimeSeriesOutlierDetector(inner, window=30, normalize=None).fit(series)
    assert np.all(
        raw.score_samples(5 + series)[30:-30] < raw.score_samples(series).min()
    )
    # A flat stretch is divided by the floor, not by zero.
    flat = np.r_[series[:1000], np.zeros(200)]
    assert np.all(np.isfinite(shape.score_samples(flat)))
    assert_allclose(shape.scale_floor_, 0.01 * series[:1000].std())


def test_multivariate_series_and_sequence_layout():
    rng = np.random.RandomState(0)
    series = np.c_[noisy_sine(600, 20), rng.randn(600), np.ones(600)]
    seq = ReconstructionOutlierDetector(SequenceAutoencoder(2, units=(4,), **FAST))
    model = TimeSeriesOutlierDetector(seq, window=20, random_state=0).fit(series)
    assert model.detector_.estimator_.model_.input_shape == (None, 20, 3)
    assert model.score_samples(series).shape == (600,)
    other = TimeSeriesOutlierDetector(RowCounter(), window=20).fit(series)
    assert other.detector_.fit_shape_ == (581, 60)  # flat rows for other detectors


def test_fit_uses_at_most_max_fit_windows():
    series = noisy_sine(5000, 25)
    model = TimeSeriesOutlierDetector(RowCounter(), window=25, max_fit_windows=300).fit(
        series
    )
    assert model.detector_.fit_shape_[0] <= 300
    every = TimeSeriesOutlierDetector(RowCounter(), window=25, max_fit_windows=None)
    assert every.fit(series).detector_.fit_shape_[0] == 5000 - 25 + 1


def test_chunked_scoring_equals_scoring_at_once(monkeypatch):
    series = noisy_sine(3000, 30)
    model = TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(DenseAutoencoder(3, **FAST)),
        window=30,
        random_state=0,
    ).fit(series[:1000])
    whole = model.score_samples(series)
    monkeypatch.setattr(detector_module, "SCORING_CHUNK_VALUES", 97 * 30)
    assert_allclose(model.score_samples(series), whole, rtol=1e-6)


def test_the_default_detector_of_windows_is_the_reconstruction_error_alone():
    model = TimeSeriesOutlierDetector(window=20, random_state=0)
    model.fit(noisy_sine(600, 20))
    inner = model.detector_
    assert isinstance(inner, ReconstructionOutlierDetector)
    assert inner.error == "reconstruction" and inner.marginal_bins is None


def test_one_point_windows_cannot_be_standardised():
    with pytest.raises(ValueError, match="at least 2 points"):
        TimeSeriesOutlierDetector(RowCounter(), window=1).fit(np.arange(10.0))


def test_a_failed_refit_leaves_the_fitted_detector_as_it_was():
    series = noisy_sine(600, 20)
    model = TimeSeriesOutlierDetector(RowCounter(), window=20).fit(series)
    before = model.score_samples(series)
    model.set_params(detector=FailingDetector())
    with pytest.raises(RuntimeError, match="no fit"):
        model.fit(series)
    assert isinstance(model.detector_, RowCounter)
    assert_allclose(model.score_samples(series), before)


def test_an_autoencoder_inside_gets_sequences():
    series = np.c_[noisy_sine(400, 20), noisy_sine(400, 10, seed=1)]
    model = TimeSeriesOutlierDetector(
        SequenceAutoencoder(2, units=(4,), **FAST), window=20
    ).fit(series)
    assert model.detector_.model_.input_shape == (None, 20, 2)
    assert np.all(np.isfinite(model.score_samples(series)))


class ConstantDetector(RowCounter):
    """A detector blind to everything: every window scores the same."""

    def score_samples(self, X):
        return np.zeros(len(X))


def test_nearest_distances_equal_brute_force_and_skip_trivial_matches(monkeypatch):
    rng = np.random.RandomState(0)
    queries, reference = rng.randn(40, 6), rng.randn(25, 6)
    pairwise = np.linalg.norm(queries[:, None] - reference[None], axis=2)
    monkeypatch.setattr(nearest_module, "BLOCK_PAIRS", 7 * 25)  # several blocks
    assert_allclose(nearest_distances(queries, reference), pairwise.min(axis=1))
    query_starts, reference_starts = np.arange(40), np.arange(0, 50, 2)
    far = np.abs(query_starts[:, None] - reference_starts[None]) >= 3
    expected = np.where(far, pairwise, np.inf).min(axis=1)
    got = nearest_distances(
        queries,
        reference,
        query_starts=query_starts,
        reference_starts=reference_starts,
        exclusion=3,
    )
    assert_allclose(got, expected)
    # Reference starts out of order (searched pair by pair, not by runs).
    order = rng.permutation(25)
    shuffled = nearest_distances(
        queries,
        reference[order],
        query_starts=query_starts,
        reference_starts=reference_starts[order],
        exclusion=3,
    )
    assert_allclose(shuffled, expected)
    # A window compared with itself is at distance 0 up to rounding, never NaN.
    assert_allclose(nearest_distances(reference, reference), 0.0, atol=1e-6)
    # The mean over the k nearest, and k beyond the reference is all of it.
    k_nearest = np.sort(pairwise, axis=1)[:, :4].mean(axis=1)
    assert_allclose(nearest_distances(queries, reference, k=4), k_nearest)
    assert_allclose(nearest_distances(queries, reference, k=99), pairwise.mean(axis=1))
    # Row numbers as starts and exclusion=1 skip exactly the row itself.
    rows = np.arange(25)
    self_pairs = np.linalg.norm(reference[:, None] - reference[None], axis=2)
    np.fill_diagonal(self_pairs, np.inf)
    got = nearest_distances(
        reference,
        reference,
        query_starts=rows,
        reference_starts=rows,
        exclusion=1,
        k=3,
    )
    assert_allclose(got, np.sort(self_pairs, axis=1)[:, :3].mean(axis=1))


def test_the_discord_flags_a_shape_the_detector_cannot_see(anomalous_series):
    series, anomalies = anomalous_series
    blind = TimeSeriesOutlierDetector(ConstantDetector(), window=40, discord=False)
    assert np.ptp(blind.fit(series[:2000]).score_samples(series)) == 0
    training = series[:2000].copy()
    model = TimeSeriesOutlierDetector(ConstantDetector(), window=40).fit(training)
    scores = model.score_samples(series)
    training[:] = 0.0  # the detector keeps its own copy of the training series
    assert_allclose(model.score_samples(series), scores)
    near = np.zeros(len(series), dtype=bool)
    for begin, end in anomalies:
        near[max(begin - 40, 0) : end + 40] = True
    clean_worst = scores[2000:][~near[2000:]].min()
    for begin, end in anomalies:
        assert scores[begin:end].min() < clean_worst, (begin, end)
    assert model.reference_starts_.shape == (2000 - 40 + 1,)


def test_the_discord_threshold_skips_trivial_matches():
    # Without the exclusion zone every training window would match itself at
    # distance 0, and fresh normal data would all look anomalous.
    series = noisy_sine(6000, 40, seed=3)
    model = TimeSeriesOutlierDetector(
        ConstantDetector(), window=40, contamination=0.01
    ).fit(series[:3000])
    assert model.discord_tail_.values_[0] > 0
    assert np.mean(model.predict(series[3000:]) == -1) < 0.05


def test_detectors_saved_before_the_discord_score_as_they_did():
    series = noisy_sine(800, 20)
    model = TimeSeriesOutlierDetector(RowCounter(), window=20, discord=False)
    before = model.fit(series).score_samples(series)
    state = model.__getstate__()
    for name in ("discord", "reference_series_", "reference_starts_"):
        state.pop(name)
    old = TimeSeriesOutlierDetector.__new__(TimeSeriesOutlierDetector)
    old.__setstate__(state)
    assert old.discord is False
    assert_allclose(old.score_samples(series), before)


def test_mask_to_intervals():
    mask = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert_array_equal(mask_to_intervals(mask), [[0, 2], [4, 5], [6, 9]])
    assert mask_to_intervals(np.zeros(4, dtype=bool)).shape == (0, 2)


def test_a_real_ucr_anomaly_is_found_with_the_defaults(shared_data_dir):
    folder = shared_data_dir / "timeseries" / "ucr_anomaly" / "series"
    path = next(folder.glob("162_UCR_Anomaly_*.npz"), None)
    if path is None:
        pytest.skip(f"UCR series 162 is absent from {folder}")
    data = np.load(path)
    train_end = int(data["train_end"])
    model = TimeSeriesOutlierDetector(random_state=0).fit(data["value"][:train_end])
    scores = -model.score_samples(data["value"])[train_end:]
    worst = train_end + int(np.argmax(scores))
    begin, end = int(data["anomaly_begin_1based"]) - 1, int(data["anomaly_end_1based"])
    assert begin - 100 <= worst < end + 100  # the archive's top-1 rule


def test_a_constant_training_series_flags_nothing_and_a_step_stands_out():
    # Equal windows score equal but for float rounding: the robust rule must
    # not draw its threshold inside that rounding (it flagged 98 % of them).
    flat = np.ones(1000)
    model = TimeSeriesOutlierDetector(random_state=0).fit(flat)
    assert np.all(model.predict(flat) == 1)
    stepped = flat.copy()
    stepped[500:] = 2.0
    flagged = np.flatnonzero(model.predict(stepped) == -1)
    assert flagged.size and np.all(np.abs(flagged - 500) <= 2 * model.windows_.window_)


def test_fitting_needs_two_windows():
    with pytest.raises(ValueError, match="20 time points makes one window of 20"):
        TimeSeriesOutlierDetector(window=20).fit(np.zeros(20))
    with pytest.raises(ValueError, match="max_fit_windows"):
        TimeSeriesOutlierDetector(window=5, max_fit_windows=1).fit(np.zeros(50))
