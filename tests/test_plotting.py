"""Each Display draws the artists it promises, on small fitted models."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skae import (  # noqa: E402
    ConvAutoencoder,
    DenseAutoencoder,
    ReconstructionOutlierDetector,
    SequenceAutoencoder,
    VariationalAutoencoder,
)
from skae.plotting import (  # noqa: E402
    AnomalyScoreDisplay,
    CodeSizeDisplay,
    FeatureErrorDisplay,
    LatentGridDisplay,
    LatentSpaceDisplay,
    ReconstructionDisplay,
    SeriesScoreDisplay,
    TrainingHistoryDisplay,
)
from skae.timeseries import TimeSeriesOutlierDetector  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def dense(small_X):
    return DenseAutoencoder(2, epochs=4, batch_size=32, random_state=0).fit(small_X)


@pytest.fixture(scope="module")
def vae(small_X):
    return VariationalAutoencoder(2, epochs=2, random_state=0).fit(small_X)


@pytest.fixture(scope="module")
def conv(small_X):
    images = small_X[:64].reshape(-1, 8, 8)
    model = ConvAutoencoder(
        2, filters=(4,), epochs=1, batch_size=32, random_state=0
    ).fit(images)
    return model, images


# ------------------------------------------------------------ training history


def test_history_draws_both_curves_and_the_best_epoch(dense):
    display = TrainingHistoryDisplay.from_estimator(dense)
    assert_allclose(display.line_.get_ydata(), dense.loss_curve_)
    assert_allclose(display.validation_line_.get_ydata(), dense.validation_loss_curve_)
    assert display.best_epoch_line_.get_xdata()[0] == dense.best_epoch_
    assert display.ax_.get_ylabel() == f"loss ({dense.loss})"
    assert display.figure_ is display.ax_.figure


def test_history_reaches_the_network_inside_a_detector_and_a_pipeline(small_X):
    inner = DenseAutoencoder(2, epochs=2, batch_size=64, random_state=0)
    detector = ReconstructionOutlierDetector(inner, marginal_bins=None).fit(small_X)
    display = TrainingHistoryDisplay.from_estimator(detector)
    assert len(display.line_.get_xdata()) == detector.estimator_.n_iter_
    pipe = make_pipeline(MinMaxScaler(), inner).fit(small_X)
    assert TrainingHistoryDisplay.from_estimator(pipe).ax_.get_title() == (
        "DenseAutoencoder"
    )


def test_history_without_validation_draws_one_line():
    display = TrainingHistoryDisplay(loss_curve=[3.0, 2.0, 1.5]).plot()
    assert display.validation_line_ is None and display.best_epoch_line_ is None
    assert len(display.ax_.get_lines()) == 1


def test_history_refuses_a_model_without_training(small_X):
    with pytest.raises(TypeError, match="no trained skae autoencoder"):
        TrainingHistoryDisplay.from_estimator(PCA(2).fit(small_X))


def test_displays_draw_on_a_given_axes(dense, small_X):
    figure, (left, right) = plt.subplots(1, 2)
    history = TrainingHistoryDisplay.from_estimator(dense, ax=left)
    latent = LatentSpaceDisplay.from_estimator(dense, small_X, ax=right)
    assert history.ax_ is left and latent.ax_ is right
    assert history.figure_ is latent.figure_ is figure


# -------------------------------------------------------------- reconstructions


def test_reconstructions_of_images_one_column_per_sample(dense, small_X):
    display = ReconstructionDisplay.from_estimator(
        dense, small_X, n_samples=5, image_shape=(8, 8)
    )
    assert display.axes_.shape == (2, 5) and len(display.images_) == 10
    assert display.axes_[0, 0].get_ylabel() == "original"
    assert_allclose(display.images_[0].get_array(), small_X[0].reshape(8, 8))
    expected = dense.predict(small_X[:5])[2].reshape(8, 8)
    assert_allclose(display.images_[7].get_array(), expected, rtol=1e-6)


def test_a_convolutional_model_draws_images_without_being_told(conv):
    model, images = conv
    display = ReconstructionDisplay.from_estimator(model, images, n_samples=3)
    assert display.layout == "image" and len(display.images_) == 6


def test_denoising_adds_the_noisy_row(dense, small_X):
    noisy = small_X + np.random.default_rng(0).normal(0, 0.2, small_X.shape)
    display = ReconstructionDisplay.from_estimator(
        dense, small_X, X_noisy=noisy, n_samples=4, image_shape=(8, 8)
    )
    assert display.axes_.shape == (3, 4)
    assert display.axes_[1, 0].get_ylabel() == "noisy input"
    expected = dense.predict(noisy[:4].astype(np.float32))[0].reshape(8, 8)
    assert_allclose(display.images_[8].get_array(), expected, rtol=1e-5)


def test_tabular_reconstructions_plot_features(dense, small_X):
    display = ReconstructionDisplay.from_estimator(dense, small_X, n_samples=3)
    assert display.layout == "features" and display.axes_.shape == (1, 3)
    original, reconstruction = display.axes_[0, 1].get_lines()
    assert_allclose(original.get_ydata(), small_X[1])
    assert len(reconstruction.get_ydata()) == small_X.shape[1]
    legend = [t.get_text() for t in display.axes_[0, 0].get_legend().get_texts()]
    assert legend == ["original", "reconstruction"]


def test_sequences_plot_one_line_per_feature_and_row():
    t = np.arange(40 * 12).reshape(40, 12, 1) / 7.0
    X = np.concatenate([np.sin(t), np.cos(t)], axis=2)
    model = SequenceAutoencoder(2, units=(4,), epochs=1, random_state=0).fit(X)
    display = ReconstructionDisplay.from_estimator(model, X, n_samples=2)
    assert display.layout == "series"
    assert len(display.axes_[0, 0].get_lines()) == 4  # 2 features x 2 rows


def test_from_predictions_and_a_given_axes_divided(small_X):
    figure, ax = plt.subplots()
    display = ReconstructionDisplay.from_predictions(
        small_X.reshape(-1, 8, 8), small_X.reshape(-1, 8, 8), n_samples=4, ax=ax
    )
    assert display.figure_ is figure and display.axes_.shape == (2, 4)
    assert not ax.axison  # the given area now holds the grid
    with pytest.raises(ValueError, match="samples of shape"):
        ReconstructionDisplay.from_predictions(small_X, small_X[:, :10])


# ----------------------------------------------------------------- latent space


def test_latent_space_colours_by_label(dense, digits):
    X, y = digits[0][:300], digits[1][:300]
    display = LatentSpaceDisplay.from_estimator(dense, X, y)
    assert isinstance(display.scatter_, PathCollection)
    assert_allclose(display.scatter_.get_offsets(), dense.transform(X), rtol=1e-6)
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == [str(c) for c in range(10)]
    assert display.colorbar_ is None


def test_wide_codes_are_projected_or_refused(small_X):
    pca = PCA(5).fit(small_X)
    display = LatentSpaceDisplay.from_estimator(pca, small_X, small_X[:, 20])
    assert display.scatter_.get_offsets().shape == (200, 2)
    assert display.colorbar_ is not None  # continuous colours
    assert "principal component" in display.ax_.get_xlabel()
    with pytest.raises(ValueError, match="5 dimensions; projection"):
        LatentSpaceDisplay.from_estimator(pca, small_X, projection=None)
    with pytest.raises(ValueError, match="at least 2"):
        LatentSpaceDisplay.from_estimator(PCA(1).fit(small_X), small_X)


# ------------------------------------------------------------------ latent grid


def test_latent_grid_follows_the_prior_in_latent_units(vae):
    display = LatentGridDisplay.from_estimator(vae, n_points=4, image_shape=(8, 8))
    assert display.image_.get_array().shape == (32, 32)
    ticks = [float(t.get_text()) for t in display.ax_.get_xticklabels()]
    # Quantiles 0.05, 0.35, 0.65, 0.95 of the standard normal.
    assert_allclose(ticks, [-1.645, -0.385, 0.385, 1.645], atol=0.006)
    top_left = vae.inverse_transform(np.array([[-1.645, 1.645]], np.float32))
    assert_allclose(
        display.image_.get_array()[:8, :8], top_left.reshape(8, 8), atol=1e-3
    )


def test_latent_grid_of_a_plain_autoencoder_needs_data(dense, small_X):
    with pytest.raises(ValueError, match="pass X"):
        LatentGridDisplay.from_estimator(dense, image_shape=(8, 8))
    display = LatentGridDisplay.from_estimator(
        dense, small_X, n_points=3, image_shape=(8, 8)
    )
    codes = dense.transform(small_X)
    assert_allclose(display.x_values, np.quantile(codes[:, 0], [0.05, 0.5, 0.95]))


def test_latent_grid_refuses_wider_codes_and_non_images(small_X, vae):
    model = DenseAutoencoder(5, epochs=1, random_state=0).fit(small_X)
    with pytest.raises(ValueError, match="2-D code; this one has 5"):
        LatentGridDisplay.from_estimator(model, small_X, image_shape=(8, 8))
    with pytest.raises(ValueError, match="pass image_shape"):
        LatentGridDisplay.from_estimator(vae)


# -------------------------------------------------------------------- code size


def test_code_size_fits_every_model_at_every_size(small_X):
    display = CodeSizeDisplay.from_estimator(
        DenseAutoencoder(epochs=2, random_state=0),
        small_X[:150],
        small_X[150:],
        n_components=[2, 4],
    )
    assert set(display.lines_) == {"PCA", "DenseAutoencoder"}
    expected = [
        np.mean((small_X[150:] - p.inverse_transform(p.transform(small_X[150:]))) ** 2)
        for p in (PCA(k).fit(small_X[:150]) for k in (2, 4))
    ]
    assert_allclose(display.lines_["PCA"].get_ydata(), expected, rtol=1e-6)
    assert list(display.lines_["PCA"].get_xdata()) == [2, 4]


def test_code_size_checks_lengths():
    with pytest.raises(ValueError, match="2 values for 3 code sizes"):
        CodeSizeDisplay(n_components=[1, 2, 3], errors={"a": [1, 2]}).plot()


# ---------------------------------------------------------------- outlier scores


@pytest.mark.parametrize(
    "marginal_bins, xscale",
    # Errors that are sums of -log tail probabilities are already logarithms.
    [(None, "log"), (20, "linear")],
)
def test_score_histogram_splits_labels_and_marks_the_threshold(
    marginal_bins, xscale, small_X
):
    detector = ReconstructionOutlierDetector(
        PCA(4), contamination=0.1, marginal_bins=marginal_bins
    ).fit(small_X)
    y = (detector.predict(small_X) == -1).astype(int)
    display = AnomalyScoreDisplay.from_estimator(detector, small_X, y)
    counts = {k: sum(b.get_height() for b in v) for k, v in display.bars_.items()}
    assert counts == {"inliers": (y == 0).sum(), "outliers": (y == 1).sum()}
    assert display.threshold_line_.get_xdata()[0] == detector.threshold_
    assert display.threshold_line_.get_label() == "threshold (contamination)"
    assert display.ax_.get_xscale() == xscale


def test_score_histogram_of_a_scikit_learn_detector(small_X):
    forest = IsolationForest(random_state=0).fit(small_X)
    display = AnomalyScoreDisplay.from_estimator(forest, small_X)
    assert display.threshold_line_.get_xdata()[0] == -forest.offset_
    assert sum(b.get_height() for b in display.bars_["samples"]) == len(small_X)
    with pytest.raises(TypeError, match="not a fitted outlier detector"):
        AnomalyScoreDisplay.from_estimator(PCA(2).fit(small_X), small_X)


def test_feature_errors_show_the_largest_on_top(small_X):
    detector = ReconstructionOutlierDetector(PCA(4), marginal_bins=None).fit(small_X)
    X = small_X[:20].copy()
    X[3, 10] = 40.0  # one broken pixel
    display = FeatureErrorDisplay.from_estimator(detector, X, max_features=5)
    assert display.ax_.get_title().startswith("sample 3")
    assert len(display.bars_) == 5
    assert display.ax_.get_yticklabels()[-1].get_text() == "x10"
    errors = detector.reconstruction_error(X, per_feature=True)[3]
    assert display.bars_[-1].get_width() == pytest.approx(errors.max())


def test_feature_errors_of_images_are_a_heat_map(conv):
    model, images = conv
    display = FeatureErrorDisplay.from_estimator(model, images, sample=2)
    assert display.image_.get_array().shape == (8, 8)
    # Image 2 scored alone, not in a batch of 64: equal to float32 rounding.
    expected = model.reconstruction_error(images[2:3], per_feature=True)[0]
    assert_allclose(
        display.image_.get_array(), expected.reshape(8, 8), rtol=1e-4, atol=1e-9
    )
    with pytest.raises(IndexError, match="out of range"):
        FeatureErrorDisplay.from_estimator(model, images, sample=64)


# ------------------------------------------------------------------ time series


def test_series_scores_mark_threshold_flags_and_truth():
    t = np.arange(1000)
    series = np.sin(2 * np.pi * t / 25)
    series[700:710] += 2.0
    detector = TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(PCA(3), marginal_bins=None), window=25
    ).fit(series[:500])
    truth = np.zeros(1000, dtype=int)
    truth[700:710] = 1
    display = SeriesScoreDisplay.from_estimator(detector, series, anomalies=truth)
    top, bottom = display.axes_
    assert len(top.get_lines()) == 1 and len(display.anomaly_spans_) == 2
    assert_allclose(display.score_line_.get_ydata(), -detector.score_samples(series))
    assert display.threshold_line_.get_ydata()[0] == -detector.offset_
    flagged = detector.anomalous_intervals(series)
    assert len(display.flagged_spans_) == len(flagged) >= 1
    # Intervals work as the truth too, and the time axis can start elsewhere.
    display = SeriesScoreDisplay.from_estimator(
        detector, series, anomalies=[[700, 710]], start=500
    )
    assert display.axes_[0].get_lines()[0].get_xdata()[0] == 500
    with pytest.raises(ValueError, match="intervals"):
        SeriesScoreDisplay.from_predictions(series, series, 1.0, anomalies=[[1, 2, 3]])


def test_a_dense_model_fitted_on_image_arrays_draws_images(small_X):
    images = small_X.reshape(-1, 8, 8)
    vae = VariationalAutoencoder(2, epochs=1, random_state=0).fit(images)
    grid = LatentGridDisplay.from_estimator(vae, n_points=2)
    assert grid.image_.get_array().shape == (16, 16)
    display = ReconstructionDisplay.from_estimator(vae, images, n_samples=2)
    assert display.layout == "image" and len(display.images_) == 4
