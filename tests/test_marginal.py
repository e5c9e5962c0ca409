"""The marginal part of the detector's error: histograms, tail statistics, rarity."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from skae import ReconstructionOutlierDetector
from skae.outlier._histograms import PSEUDO_COUNT, FeatureHistograms
from skae.outlier._tail_statistic import TailStatistic

# ----------------------------------------------------------------- histograms


def integer_features(n_samples=500, n_features=5, seed=0):
    """Standardised small integers: many values sit exactly on the range's ends."""
    rng = np.random.RandomState(seed)
    return StandardScaler().fit_transform(rng.randint(0, 17, (n_samples, n_features)))


def test_training_values_get_their_bin_probability():
    X = integer_features()
    histograms = FeatureHistograms(n_bins=10).fit(X)
    rarity = histograms.rarity(X)
    for j in range(X.shape[1]):
        counts, edges = np.histogram(X[:, j], bins=10)
        bins = np.clip(np.searchsorted(edges, X[:, j], side="right") - 1, 0, 9)
        probability = (counts[bins] + PSEUDO_COUNT) / (len(X) + 10 * PSEUDO_COUNT)
        np.testing.assert_allclose(rarity[:, j], -np.log(probability), rtol=1e-12)


def test_values_outside_the_training_range_get_the_empty_bin_probability():
    X = integer_features()
    histograms = FeatureHistograms(n_bins=10).fit(X)
    empty_bin = -np.log(PSEUDO_COUNT / (len(X) + 10 * PSEUDO_COUNT))
    probes = np.vstack([X.max(axis=0) + 1e-9, X.min(axis=0) - 5.0])
    np.testing.assert_allclose(histograms.rarity(probes), empty_bin)
    assert (histograms.rarity(X) < empty_bin).all()


def test_a_constant_feature_is_rare_only_where_it_changes():
    X = np.column_stack([np.linspace(0, 1, 100), np.full(100, 3.0)])
    histograms = FeatureHistograms(n_bins=4).fit(X)
    same, other = histograms.rarity(np.array([[0.5, 3.0], [0.5, 3.5]]))[:, 1]
    assert same < 0.01
    assert other == pytest.approx(-np.log(PSEUDO_COUNT / (100 + 4 * PSEUDO_COUNT)))


# ------------------------------------------------------------ tail statistic


def test_tail_statistic_of_training_scores_follows_their_ranks():
    scores = np.random.RandomState(0).exponential(size=99)
    tail = TailStatistic().fit(scores)
    ranks = np.argsort(np.argsort(scores)) + 1
    np.testing.assert_allclose(tail.transform(scores), -np.log1p(-ranks / 100))


def test_tail_statistic_gives_ties_one_level():
    tail = TailStatistic().fit(np.array([1.0, 2.0, 2.0, 2.0, 3.0]))
    np.testing.assert_allclose(tail.transform(np.array([2.0])), -np.log1p(-4 / 6))


def test_tail_statistic_is_increasing_and_unbounded_above_the_maximum():
    scores = np.arange(1.0, 101.0)  # maximum 100; the score of rank 90 is 90
    tail = TailStatistic().fit(scores)
    grid = np.linspace(-10, 1000, 5000)
    assert (np.diff(tail.transform(grid)) >= 0).all()
    at_max, beyond = tail.transform(np.array([100.0, 100.0 + 2 * 10.0]))
    assert at_max == pytest.approx(np.log(101))
    assert beyond == pytest.approx(np.log(101) + 2.0)


@pytest.mark.parametrize("training", [[2.0, 2.0, 2.0], [0.0, 0.0], [5.0]])
def test_tail_statistic_keeps_ranking_above_constant_training_scores(training):
    tail = TailStatistic().fit(np.array(training))
    statistic = tail.transform(np.array([training[0], 7.0, 8.0, 1e6]))
    assert np.isfinite(statistic).all()
    assert (np.diff(statistic) > 0).all()
    assert statistic[0] == pytest.approx(np.log(len(training) + 1))


# ------------------------------------------------------------------ detector


def plane_with_a_two_valued_feature(n_samples=400, seed=0):
    """A noisy plane in 8 features, plus a ninth feature of +-1 independent of it."""
    rng = np.random.RandomState(seed)
    plane = rng.normal(size=(n_samples, 2)) @ rng.normal(size=(2, 8))
    plane += 0.05 * rng.normal(size=plane.shape)
    signs = rng.choice([-1.0, 1.0], size=(n_samples, 1))
    return np.hstack([plane, signs + 0.01 * rng.normal(size=(n_samples, 1))])


def test_marginal_part_catches_a_value_no_training_sample_had():
    X = plane_with_a_two_valued_feature()
    odd = X[:10].copy()
    odd[:, -1] = 0.0  # between the two values: inside the range, yet unseen
    model_only = ReconstructionOutlierDetector(PCA(2), marginal_bins=None).fit(X)
    with_marginal = ReconstructionOutlierDetector(PCA(2)).fit(X)
    # PCA cannot predict the independent feature, so it reconstructs it as its
    # mean, 0: to the model alone the odd samples look more normal than before.
    assert (model_only.anomaly_score(odd) < model_only.anomaly_score(X[:10])).all()
    # The histogram of the feature has no training sample near 0.
    errors = with_marginal.anomaly_score(odd)
    assert (errors > with_marginal.anomaly_score(X[:10])).all()
    assert (errors > np.median(with_marginal.anomaly_score(X))).all()
    rarity = with_marginal.feature_rarity(odd)
    assert rarity.shape == odd.shape
    assert (rarity.argmax(axis=1) == X.shape[1] - 1).all()


def test_error_is_fishers_combination_of_the_two_tails():
    X = plane_with_a_two_valued_feature()
    detector = ReconstructionOutlierDetector(PCA(2), contamination=0.1).fit(X)
    model_only = ReconstructionOutlierDetector(PCA(2), marginal_bins=None).fit(X)
    model_error = model_only.anomaly_score(X)
    rarity = detector.feature_rarity(X).sum(axis=1)
    expected = TailStatistic().fit(model_error).transform(
        model_error
    ) + TailStatistic().fit(rarity).transform(rarity)
    np.testing.assert_allclose(detector.anomaly_score(X), expected)
    assert (detector.predict(X) == -1).sum() == 40


def test_feature_rarity_needs_the_marginal_part():
    X = plane_with_a_two_valued_feature()
    detector = ReconstructionOutlierDetector(PCA(2), marginal_bins=None).fit(X)
    assert detector.histograms_ is None
    with pytest.raises(AttributeError, match="marginal_bins=None"):
        detector.feature_rarity(X)


def test_far_samples_stay_ranked_when_the_training_data_are_tiny():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3, 3))
    detector = ReconstructionOutlierDetector(PCA(1)).fit(X)
    # Ever farther along a direction off the training line: every value is
    # outside the training range, so only the model part tells them apart.
    far = np.outer(np.arange(5, 11), [1.0, -2.0, 0.5])
    scores = detector.score_samples(far)
    assert np.isfinite(scores).all()
    assert (np.diff(scores) < 0).all()
    assert (detector.predict(far) == -1).all()


def test_refit_without_the_marginal_part_drops_it():
    X = plane_with_a_two_valued_feature()
    detector = ReconstructionOutlierDetector(PCA(2)).fit(X)
    assert detector.rarity_tail_ is not None
    detector.set_params(marginal_bins=None).fit(X)
    assert detector.histograms_ is None
    assert detector.model_error_tail_ is None and detector.rarity_tail_ is None
    model_only = ReconstructionOutlierDetector(PCA(2), marginal_bins=None).fit(X)
    np.testing.assert_array_equal(
        detector.score_samples(X), model_only.score_samples(X)
    )
