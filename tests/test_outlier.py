"""ReconstructionOutlierDetector: thresholds, scores, inner estimators, errors."""

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KernelDensity
from sklearn.preprocessing import StandardScaler

from skae import (
    ConvAutoencoder,
    DenoisingAutoencoder,
    DenseAutoencoder,
    ReconstructionOutlierDetector,
    SequenceAutoencoder,
    VariationalAutoencoder,
)
from skae.outlier import default_autoencoder, sums_tail_statistics
from skae.outlier._thresholds import contamination_threshold, mad_threshold

FAST_AE = dict(epochs=30, batch_size=32, random_state=0)


def low_rank_data(n_samples=400, n_features=8, rank=2, seed=0):
    """Normal data on a low-rank plane, plus a little noise."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, rank)) @ rng.normal(size=(rank, n_features))
    return X + 0.05 * rng.normal(size=X.shape)


@pytest.fixture(scope="module")
def normal_data():
    return low_rank_data()


@pytest.fixture(scope="module")
def pca_detector(normal_data):
    return ReconstructionOutlierDetector(PCA(2), contamination=0.1).fit(normal_data)


@pytest.fixture(scope="module")
def ae_detector(normal_data):
    return ReconstructionOutlierDetector(
        DenseAutoencoder(2, **FAST_AE), contamination=0.1
    ).fit(normal_data)


def off_plane(normal_data, n=20, seed=1):
    """Samples pushed off the normal plane: outliers for any good reconstructor."""
    rng = np.random.RandomState(seed)
    X = normal_data[:n].copy()
    X += 3.0 * normal_data.std(axis=0) * rng.choice([-1, 1], size=X.shape)
    return X


# ----------------------------------------------------------------- contract


@pytest.mark.parametrize("name", ["pca_detector", "ae_detector"])
def test_predict_agrees_with_decision_function(name, request, normal_data):
    detector = request.getfixturevalue(name)
    X = np.vstack([normal_data, off_plane(normal_data)])
    decision = detector.decision_function(X)
    np.testing.assert_array_equal(detector.predict(X), np.where(decision < 0, -1, 1))
    np.testing.assert_allclose(decision, detector.score_samples(X) - detector.offset_)
    assert detector.offset_ == -detector.threshold_
    assert detector.score_samples(X).dtype == np.float64


@pytest.mark.parametrize("name", ["pca_detector", "ae_detector"])
def test_contamination_flags_that_fraction_of_training_data(name, request, normal_data):
    detector = request.getfixturevalue(name)
    assert (detector.predict(normal_data) == -1).sum() == 40
    assert detector.threshold_rule_ == "contamination"


@pytest.mark.parametrize("name", ["pca_detector", "ae_detector"])
def test_off_plane_samples_score_lower_than_normal_ones(name, request, normal_data):
    detector = request.getfixturevalue(name)
    outliers = off_plane(normal_data)
    assert (detector.predict(outliers) == -1).all()
    assert detector.score_samples(outliers).max() < np.median(
        detector.score_samples(normal_data)
    )


def test_fit_predict_matches_fit_then_predict(normal_data):
    detector = ReconstructionOutlierDetector(PCA(2), contamination=0.05)
    labels = detector.fit_predict(normal_data)
    np.testing.assert_array_equal(labels, detector.predict(normal_data))
    assert set(np.unique(labels)) == {-1, 1}


def pca_round_trip_error(detector, X):
    scaled = detector.scaler_.transform(X)
    pca = detector.estimator_
    return np.mean((scaled - pca.inverse_transform(pca.transform(scaled))) ** 2, 1)


def test_reconstruction_error_of_pca_inside(normal_data):
    detector = ReconstructionOutlierDetector(
        PCA(2), error="reconstruction", marginal_bins=None
    ).fit(normal_data)
    expected = pca_round_trip_error(detector, normal_data)
    np.testing.assert_allclose(detector.reconstruction_error(normal_data), expected)
    np.testing.assert_allclose(detector.anomaly_score(normal_data), expected)
    np.testing.assert_allclose(detector.score_samples(normal_data), -expected)


def test_combined_error_adds_the_code_distance(normal_data):
    pca_detector = ReconstructionOutlierDetector(PCA(2), marginal_bins=None)
    pca_detector.fit(normal_data)
    assert pca_detector.error_ == "combined"
    reconstruction = pca_round_trip_error(pca_detector, normal_data)
    scaled = pca_detector.scaler_.transform(normal_data)
    codes = pca_detector.estimator_.transform(scaled)
    centered = codes - codes.mean(axis=0)
    t2 = np.einsum("ij,jk,ik->i", centered, np.linalg.inv(np.cov(centered.T)), centered)
    expected = reconstruction / reconstruction.mean() + t2 / 2
    np.testing.assert_allclose(
        pca_detector.anomaly_score(normal_data), expected, rtol=1e-5
    )
    # Both terms average about 1 on the training data.
    assert 1.9 < expected.mean() < 2.1


def test_a_lossless_reconstruction_leaves_the_code_distance_alone(normal_data):
    """A code as wide as the data reconstructs it up to rounding: that rounding
    must not be magnified into the score (it was, divided by its own mean)."""
    detector = ReconstructionOutlierDetector(PCA(8), marginal_bins=None)
    detector.fit(normal_data)
    scaled = detector.scaler_.transform(normal_data)
    assert pca_round_trip_error(detector, normal_data).max() < 1e-20
    assert detector.reconstruction_scale_ == pytest.approx(1e-6, rel=1e-6)
    centered = detector.estimator_.transform(scaled) - detector.code_mean_
    precision = detector.code_precision_
    t2 = np.einsum("ij,jk,ik->i", centered, precision, centered)
    np.testing.assert_allclose(detector.anomaly_score(normal_data), t2 / 8, rtol=1e-9)


def test_combined_error_catches_samples_far_along_the_manifold(normal_data):
    plane = PCA(2).fit(normal_data)
    on_plane = plane.inverse_transform(plane.transform(normal_data)) - plane.mean_
    edge = on_plane[np.argsort(np.linalg.norm(on_plane, axis=1))[-10:]]
    far = plane.mean_ + 3.0 * edge  # on the plane, three times the data's reach
    reconstruction_only = ReconstructionOutlierDetector(
        PCA(2), error="reconstruction", marginal_bins=None
    ).fit(normal_data)
    combined = ReconstructionOutlierDetector(PCA(2), marginal_bins=None)
    combined.fit(normal_data)
    assert (combined.predict(far) == -1).all()
    assert (reconstruction_only.predict(far) == -1).mean() < 0.5


def test_any_estimator_with_score_samples_fits_inside(normal_data):
    detector = ReconstructionOutlierDetector(
        KernelDensity(bandwidth=0.5), contamination=0.1, marginal_bins=None
    ).fit(normal_data)
    expected = detector.estimator_.score_samples(
        detector.scaler_.transform(normal_data)
    )
    np.testing.assert_allclose(detector.score_samples(normal_data), expected)
    assert (detector.predict(normal_data) == -1).sum() == 40


def test_max_samples_bounds_the_rows_the_model_is_fitted_on(normal_data):
    def fitted(**params):
        return ReconstructionOutlierDetector(PCA(2), **params).fit(normal_data)

    subsampled = fitted(max_samples=50, random_state=0)
    assert subsampled.estimator_.n_samples_ == 50
    # Everything else learns from every row: the tails rank all 400.
    assert subsampled.model_error_tail_.levels_[-1] == pytest.approx(400 / 401)
    again = fitted(max_samples=50, random_state=0)
    other = fitted(max_samples=50, random_state=1)
    assert_array_equal(again.estimator_.mean_, subsampled.estimator_.mean_)
    assert not np.allclose(other.estimator_.mean_, subsampled.estimator_.mean_)
    # Without a seed of its own, the inner estimator's seed fixes the draw.
    inner_seeded = [
        ReconstructionOutlierDetector(PCA(2, random_state=3), max_samples=50)
        .fit(normal_data)
        .estimator_.mean_
        for _ in range(2)
    ]
    assert_array_equal(*inner_seeded)
    assert fitted(max_samples=None).estimator_.n_samples_ == 400
    assert fitted(max_samples=400).estimator_.n_samples_ == 400
    # The subsample still models the plane: off-plane samples score worse.
    errors = subsampled.anomaly_score(np.vstack([normal_data, off_plane(normal_data)]))
    assert errors[400:].min() > np.median(errors[:400])


def test_detectors_saved_before_max_samples_refit_on_every_row(normal_data):
    pca_detector = ReconstructionOutlierDetector(PCA(2), marginal_bins=None)
    pca_detector.fit(normal_data)
    state = pca_detector.__getstate__()
    for name in ("max_samples", "code_neighbors", "code_neighbors_"):
        del state[name]
    for name in ("reference_codes_", "code_neighbor_tail_", "model_error_tail_"):
        state.pop(name, None)
    state["histograms_"] = None  # nor the tails, which came later
    old = ReconstructionOutlierDetector.__new__(ReconstructionOutlierDetector)
    old.__setstate__(state)
    assert old.get_params()["max_samples"] is None
    assert old.get_params()["code_neighbors"] is None
    assert_array_equal(
        old.score_samples(normal_data), pca_detector.score_samples(normal_data)
    )
    assert clone(old).fit(normal_data).estimator_.n_samples_ == len(normal_data)


def test_default_estimator_is_sized_from_the_data():
    small, wide = default_autoencoder(6, random_state=3), default_autoencoder(274)
    assert isinstance(small, DenoisingAutoencoder) and small.random_state == 3
    assert small.noise == "mask" and 0 < small.noise_level < 1
    assert (small.n_components, small.hidden_layer_sizes) == (6, (12,))
    assert (wide.n_components, wide.hidden_layer_sizes) == (64, (128,))


# --------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    "marginal_bins, most_flagged",
    [
        # Model error alone: the rule is applied to its logarithm.
        (None, 0.05),
        # With the marginal part the error is -log of tail probabilities (about
        # Gamma(2, 1) if the parts were independent): median + 3 robust standard
        # deviations lies near its 95th to 98th percentile.
        (20, 0.08),
    ],
)
def test_mad_rule_needs_no_contamination_and_flags_the_outliers(
    marginal_bins, most_flagged, normal_data
):
    detector = ReconstructionOutlierDetector(PCA(2), marginal_bins=marginal_bins)
    detector.fit(normal_data)
    assert detector.threshold_rule_ == "mad"
    flagged_normal = (detector.predict(normal_data) == -1).mean()
    assert flagged_normal < most_flagged
    assert (detector.predict(off_plane(normal_data)) == -1).all()


def test_larger_mad_k_gives_a_higher_threshold(normal_data):
    low = ReconstructionOutlierDetector(PCA(2), mad_k=2.0).fit(normal_data)
    high = ReconstructionOutlierDetector(PCA(2), mad_k=4.0).fit(normal_data)
    assert high.threshold_ > low.threshold_


def test_explicit_threshold_value(normal_data, pca_detector):
    value = float(np.median(pca_detector.anomaly_score(normal_data)))
    detector = ReconstructionOutlierDetector(PCA(2), threshold=value).fit(normal_data)
    assert detector.threshold_ == value
    assert detector.threshold_rule_ == "value"
    errors = detector.anomaly_score(normal_data)
    np.testing.assert_array_equal(detector.predict(normal_data) == -1, errors > value)


def test_set_threshold_from_clean_validation_data(normal_data):
    detector = ReconstructionOutlierDetector(PCA(2)).fit(normal_data[:300])
    clean = normal_data[300:]
    detector.set_threshold(clean, max_fpr=0.05)
    assert detector.threshold_rule_ == "validation-fpr"
    assert (detector.predict(clean) == -1).mean() <= 0.05
    assert (detector.predict(clean) == -1).sum() == 5
    np.testing.assert_allclose(
        detector.decision_function(clean),
        detector.score_samples(clean) + detector.threshold_,
    )


def test_set_threshold_from_labelled_validation_data(normal_data):
    detector = ReconstructionOutlierDetector(PCA(2)).fit(normal_data[:300])
    outliers = off_plane(normal_data[300:], n=10)
    X = np.vstack([normal_data[300:], outliers])
    y = np.r_[np.zeros(100), np.ones(10)]
    detector.set_threshold(X, y)
    assert detector.threshold_rule_ == "validation-f1"
    np.testing.assert_array_equal(detector.predict(X) == -1, y == 1)
    # {-1, +1} labels, as predict gives them, mean the same.
    other = ReconstructionOutlierDetector(PCA(2)).fit(normal_data[:300])
    other.set_threshold(X, np.where(y == 1, -1, 1))
    assert other.threshold_ == detector.threshold_


def test_set_threshold_with_labels_and_max_fpr(normal_data):
    detector = ReconstructionOutlierDetector(PCA(2)).fit(normal_data[:300])
    X = np.vstack([normal_data[300:], off_plane(normal_data[300:], n=10)])
    y = np.r_[np.zeros(100), np.ones(10)]
    detector.set_threshold(X, y, max_fpr=0.02)
    assert (detector.predict(X[:100]) == -1).sum() <= 2


def test_refit_resets_a_validation_threshold(normal_data):
    detector = ReconstructionOutlierDetector(PCA(2), contamination=0.1)
    detector.fit(normal_data).set_threshold(normal_data, max_fpr=0.3)
    detector.fit(normal_data)
    assert detector.threshold_rule_ == "contamination"


def test_a_failed_refit_leaves_the_detector_as_it_was(normal_data):
    detector = ReconstructionOutlierDetector(PCA(2), contamination=0.1)
    detector.fit(normal_data)
    scores = detector.score_samples(normal_data)
    with pytest.raises(ValueError):
        detector.fit(np.full((10, 7), np.nan))
    assert detector.n_features_in_ == normal_data.shape[1]
    assert_array_equal(detector.score_samples(normal_data), scores)


# ----------------------------------------------------------- tabular scores


def test_scaling_keeps_a_large_column_from_hiding_outliers():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 4))
    X[:, 1] = X[:, 0] + 0.01 * rng.normal(size=500)
    # Two large-scale columns whose own noise dwarfs the small columns.
    X[:, 3] = 1000 * X[:, 2]
    X[:, 2] = 1000 * X[:, 2] + 100 * rng.normal(size=500)
    outliers = X[:10].copy()
    outliers[:, 1] = -outliers[:, 0]  # break the small-scale relation
    y = np.r_[np.zeros(500), np.ones(10)]
    data = np.vstack([X, outliers])
    from sklearn.metrics import roc_auc_score

    def auc(scaler):
        detector = ReconstructionOutlierDetector(PCA(2), scaler=scaler).fit(X)
        return roc_auc_score(y, -detector.score_samples(data))

    assert auc("standard") > 0.95
    assert auc(None) < 0.85


@pytest.mark.parametrize(
    "estimator, shape, table, neighbors",
    [
        (PCA(2), (60, 8), True, None),
        # The layout alone does not decide: windows of a series look alike.
        (PCA(2), (60, 4, 4), True, None),
        (DenseAutoencoder(2, epochs=1), (60, 8, 1), True, None),
        (ConvAutoencoder(filters=(4,), epochs=1), (60, 4, 4, 1), False, 5),
        (
            ConvAutoencoder(filters=(4,), epochs=1, image_shape=(4, 4)),
            (60, 16),
            False,
            5,
        ),
        (
            VariationalAutoencoder(
                2, architecture="conv", filters=(4,), epochs=1, image_shape=(4, 4)
            ),
            (60, 16),
            False,
            None,  # scored by its likelihood bound, not the combined error
        ),
        (SequenceAutoencoder(2, units=(4,), epochs=1), (60, 4, 2), True, None),
    ],
    ids=["pca", "pca-images", "dense-windows", "conv", "conv-flat", "conv-vae", "lstm"],
)
def test_the_auto_defaults_treat_convolutional_models_apart(
    estimator, shape, table, neighbors
):
    X = np.random.RandomState(0).uniform(size=shape)
    detector = ReconstructionOutlierDetector(estimator, random_state=0).fit(X)
    # Data are standardised and scored with the marginal rarity, except for a
    # convolutional model's images: with the distance to their nearest
    # training codes instead.
    assert isinstance(detector.scaler_, StandardScaler) is table
    assert (detector.scaler_ is None) is not table
    assert (detector.histograms_ is not None) is table
    assert detector.code_neighbors_ == neighbors
    if neighbors is not None:
        assert detector.reference_codes_.dtype == np.float32
        assert detector.reference_codes_.shape == (len(X), len(detector.code_mean_))
    # Explicit choices are kept whatever the data.
    explicit = ReconstructionOutlierDetector(
        PCA(2), scaler="standard", marginal_bins=20
    ).fit(X)
    assert isinstance(explicit.scaler_, StandardScaler)
    assert explicit.histograms_ is not None


def two_clusters_on_a_line(n=200, seed=0):
    """3-D samples on a line through the origin, in two clusters at t = -5
    and t = +5, and a sample on the line between them."""
    rng = np.random.RandomState(seed)
    direction = np.array([1.0, 2.0, -1.0]) / np.sqrt(6.0)
    t = np.r_[rng.normal(-5, 0.3, n // 2), rng.normal(5, 0.3, n // 2)]
    X = t[:, None] * direction + 0.01 * rng.normal(size=(n, 3))
    return X, np.zeros((1, 3))


def test_code_neighbors_catch_a_sample_between_the_clusters():
    X, between = two_clusters_on_a_line()
    # Reconstructed exactly and at the codes' mean: the combined error (and
    # Hotelling's T²) cannot see it.
    plain = ReconstructionOutlierDetector(
        PCA(1), scaler=None, marginal_bins=None, code_neighbors=None
    ).fit(X)
    assert plain.anomaly_score(between)[0] < np.median(plain.anomaly_score(X))
    near = ReconstructionOutlierDetector(
        PCA(1), scaler=None, marginal_bins=None, code_neighbors=5
    ).fit(X)
    assert sums_tail_statistics(near) and not sums_tail_statistics(plain)
    assert near.anomaly_score(between)[0] > near.anomaly_score(X).max()
    assert near.predict(between)[0] == -1


def test_training_rows_skip_themselves_among_the_reference_codes():
    X, _ = two_clusters_on_a_line()
    detector = ReconstructionOutlierDetector(
        PCA(1), contamination=0.1, marginal_bins=None, code_neighbors=1
    ).fit(X)
    codes = detector.estimator_.transform(detector.scaler_.transform(X))
    pairs = np.abs(codes - codes.T)
    np.fill_diagonal(pairs, np.inf)
    leave_one_out = pairs.min(axis=1)
    assert np.ptp(leave_one_out) > 0
    model = ReconstructionOutlierDetector(
        PCA(1), marginal_bins=None, code_neighbors=None
    ).fit(X)
    # The threshold comes from training errors whose code-neighbour part
    # skips the row itself (counted, every distance would be 0).
    training_errors = detector.model_error_tail_.transform(
        model.anomaly_score(X)
    ) + detector.code_neighbor_tail_.transform(leave_one_out)
    assert detector.threshold_ == pytest.approx(
        contamination_threshold(training_errors, 0.1), rel=1e-2
    )
    # The reference is the rows the model was fitted on, at most max_samples.
    subsampled = ReconstructionOutlierDetector(
        PCA(1), code_neighbors=3, max_samples=50, random_state=0
    ).fit(X)
    assert subsampled.reference_codes_.shape == (50, 1)
    # More neighbours than other rows: all the others, and finite scores.
    few = ReconstructionOutlierDetector(PCA(1), code_neighbors=50).fit(X[:10])
    assert few.code_neighbors_ == 9
    assert np.isfinite(few.anomaly_score(X)).all()


def test_code_neighbors_need_codes(normal_data):
    with pytest.raises(ValueError, match="code_neighbors=3 needs an estimator"):
        ReconstructionOutlierDetector(KernelDensity(), code_neighbors=3).fit(
            normal_data
        )


def test_a_detector_with_code_neighbors_survives_saving(tmp_path):
    from skae import load

    X = np.random.RandomState(0).uniform(size=(80, 4, 4))
    detector = ReconstructionOutlierDetector(
        PCA(3), code_neighbors=5, random_state=0
    ).fit(X)
    detector.save(tmp_path / "detector.skae")
    for loaded in (
        load(tmp_path / "detector.skae"),
        joblib.load(joblib.dump(detector, tmp_path / "detector.joblib")[0]),
    ):
        assert_array_equal(loaded.anomaly_score(X), detector.anomaly_score(X))
        assert_array_equal(loaded.reference_codes_, detector.reference_codes_)


def test_per_feature_errors_point_at_the_broken_feature(ae_detector, normal_data):
    sample = normal_data[:5].copy()
    sample[:, 3] += 5.0 * normal_data[:, 3].std()
    errors = ae_detector.reconstruction_error(sample, per_feature=True)
    assert errors.shape == (5, normal_data.shape[1])
    assert (errors.argmax(axis=1) == 3).all()
    # Their mean is the reconstruction part of the (combined) error.
    scaled = ae_detector.scaler_.transform(sample)
    reconstruction = ae_detector.estimator_.reconstruction_error(scaled)
    np.testing.assert_allclose(errors.mean(axis=1), reconstruction, rtol=1e-6)
    np.testing.assert_allclose(
        ae_detector.reconstruction_error(sample), reconstruction, rtol=1e-6
    )
    # And the broken samples are flagged.
    assert (ae_detector.predict(sample) == -1).all()


class _WildScores(PCA):
    """PCA whose scores hold NaN and infinities, as some models give."""

    def score_samples(self, X):
        scores = np.zeros(len(X))
        scores[0], scores[1], scores[2] = np.nan, np.inf, -np.inf
        return scores


@pytest.mark.parametrize("marginal_bins", [None, 20])
def test_scores_are_always_finite(marginal_bins, normal_data):
    detector = ReconstructionOutlierDetector(
        _WildScores(2),
        error="score_samples",
        contamination=0.1,
        marginal_bins=marginal_bins,
    ).fit(normal_data)
    scores = detector.score_samples(normal_data)
    assert np.isfinite(scores).all()
    assert np.isfinite(detector.threshold_)
    if marginal_bins is None:
        # NaN is the most abnormal score, -inf too; +inf the most normal.
        assert scores[0] == scores.min() and scores[2] == scores.min()
        assert scores[1] == scores.max()
    else:
        # The model part of NaN and -inf is the largest there is; the rarity
        # part of those rows, like any, still adds to it.
        X = detector._scaled(normal_data)
        model_part = detector.model_error_tail_.transform(
            detector._model_errors_of_scaled(X)
        )
        assert model_part[0] == model_part[2] == model_part.max()


# ---------------------------------------------------------------- behaviour


def test_same_random_state_same_scores(normal_data):
    def scores():
        detector = ReconstructionOutlierDetector(
            DenseAutoencoder(2, epochs=5, batch_size=64), random_state=4
        ).fit(normal_data)
        assert detector.estimator_.random_state == 4
        return detector.score_samples(normal_data)

    np.testing.assert_array_equal(scores(), scores())


def test_inner_random_state_is_kept(normal_data):
    detector = ReconstructionOutlierDetector(
        DenseAutoencoder(2, epochs=2, random_state=7), random_state=4
    ).fit(normal_data)
    assert detector.estimator_.random_state == 7


def test_pickle_round_trip_gives_identical_scores(ae_detector, normal_data, tmp_path):
    joblib.dump(ae_detector, tmp_path / "detector.joblib")
    loaded = joblib.load(tmp_path / "detector.joblib")
    np.testing.assert_array_equal(
        loaded.score_samples(normal_data), ae_detector.score_samples(normal_data)
    )
    assert loaded.threshold_ == ae_detector.threshold_


def test_pandas_feature_names_are_checked(normal_data):
    pd = pytest.importorskip("pandas")
    columns = [f"f{i}" for i in range(normal_data.shape[1])]
    frame = pd.DataFrame(normal_data, columns=columns)
    detector = ReconstructionOutlierDetector(PCA(2)).fit(frame)
    np.testing.assert_array_equal(detector.feature_names_in_, columns)
    with pytest.raises(ValueError, match="feature names"):
        detector.score_samples(frame[columns[::-1]])


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "params, match",
    [
        ({"contamination": 0.7}, "contamination"),
        ({"contamination": 0.0}, "contamination"),
        ({"contamination": "high"}, "contamination"),
        ({"threshold": "median"}, "threshold must be one of"),
        ({"threshold": np.inf}, "threshold must be one of .* or a finite number"),
        ({"threshold": "contamination"}, "needs a float contamination"),
        ({"threshold": "mad", "contamination": 0.1}, "set one of them"),
        ({"mad_k": 0}, "mad_k"),
        ({"marginal_bins": 1}, "marginal_bins"),
        ({"marginal_bins": 2.5}, "marginal_bins"),
        ({"marginal_bins": "20"}, "marginal_bins"),
        ({"marginal_bins": True}, "marginal_bins"),
        ({"code_neighbors": 0}, "code_neighbors"),
        ({"code_neighbors": 2.5}, "code_neighbors"),
        ({"code_neighbors": "5"}, "code_neighbors"),
        ({"max_samples": 1}, "max_samples"),
        ({"max_samples": 0.5}, "max_samples"),
        ({"scaler": "zscore"}, "scaler must be None or one of"),
        ({"scaler": object()}, "scaler must be None or one of"),
        ({"error": "likelihood"}, "error must be one of"),
        ({"estimator": "pca"}, "estimator must be None or an estimator"),
    ],
)
def test_bad_parameters_raise_before_fitting(params, match, normal_data):
    params = {"estimator": PCA(2), **params}
    detector = ReconstructionOutlierDetector(**params)
    with pytest.raises(ValueError, match=match):
        detector.fit(normal_data)
    assert not hasattr(detector, "threshold_")


def test_estimator_that_cannot_score_is_refused(normal_data):
    from sklearn.cluster import KMeans

    with pytest.raises(ValueError, match="cannot score"):
        ReconstructionOutlierDetector(KMeans(2)).fit(normal_data)


@pytest.mark.parametrize("method", ["predict", "score_samples", "decision_function"])
def test_unfitted_use_raises(method, normal_data):
    with pytest.raises(NotFittedError):
        getattr(ReconstructionOutlierDetector(), method)(normal_data)


def test_bad_input_raises(pca_detector, normal_data):
    with pytest.raises(ValueError, match="NaN"):
        ReconstructionOutlierDetector(PCA(2)).fit(np.full((10, 3), np.nan))
    with pytest.raises(ValueError, match="features"):
        pca_detector.predict(normal_data[:, :3])


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(110), "both inliers and outliers"),
        (np.r_[np.zeros(100), np.full(10, 2)], "labelled"),
        (np.zeros(5), "labels but X has"),
    ],
)
def test_bad_validation_labels(y, match, pca_detector, normal_data):
    X = normal_data[:110]
    threshold = pca_detector.threshold_
    with pytest.raises(ValueError, match=match):
        pca_detector.set_threshold(X, y)
    assert pca_detector.threshold_ == threshold


def test_bad_max_fpr(pca_detector, normal_data):
    with pytest.raises(ValueError, match="max_fpr"):
        pca_detector.set_threshold(normal_data, max_fpr=1.5)


def test_large_inputs_are_scored_in_blocks_and_the_data_given_is_untouched(
    normal_data, monkeypatch
):
    from skae.outlier import _detector, _histograms

    whole = ReconstructionOutlierDetector(PCA(2), scaler=None).fit(normal_data)
    n_features = normal_data.shape[1]
    # Blocks of 7 and 11 rows for the histograms and the scores.
    monkeypatch.setattr(_histograms, "BLOCK_VALUES", 7 * n_features)
    monkeypatch.setattr(_detector, "SCORING_BLOCK_VALUES", 11 * n_features + 1)
    X = normal_data.copy()
    X[0, 0] = 1e300  # beyond the input limit: clipped in a copy, not in X
    blocks = ReconstructionOutlierDetector(PCA(2), scaler=None).fit(normal_data)
    assert_array_equal(
        blocks.histograms_.log_probability_, whole.histograms_.log_probability_
    )
    np.testing.assert_allclose(blocks.anomaly_score(X), whole.anomaly_score(X))
    assert X[0, 0] == 1e300


@pytest.mark.parametrize("center", [5.0, -5.0])
def test_the_mad_rule_does_not_split_errors_equal_but_for_rounding(center):
    # Positive errors get the rule on their logarithms, negative scores on
    # themselves. Errors equal but for rounding, scored again with another
    # rounding (shifted by ten times their scatter), are ties: none above the
    # threshold; a real gap of 0.1 % is.
    scatter = 1e-12 * np.random.RandomState(0).normal(size=500)
    errors = center * (1 + scatter)
    threshold = mad_threshold(errors, 3.0)
    assert np.all(errors + 1e-11 * abs(center) <= threshold)
    assert threshold < center + 1e-3 * abs(center)


def test_one_extreme_score_does_not_widen_the_mad_cut():
    # Off the log scale the tie resolution follows the median magnitude, so
    # an error at the clipping limit is flagged, not taken as the scale.
    errors = np.r_[-5 + 0.1 * np.random.RandomState(0).normal(size=500), 1e300]
    threshold = mad_threshold(errors, 3.0)
    assert -5 < threshold < -4 and errors[-1] > threshold
