"""The examples run end to end (with tiny settings) and the plots draw what they say."""

import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from skae import DenseAutoencoder, ReconstructionOutlierDetector  # noqa: E402
from skae.plotting import (  # noqa: E402
    plot_error_histogram,
    plot_loss_history,
    plot_reconstructions,
    plot_series_scores,
)
from skae.timeseries import TimeSeriesOutlierDetector  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, env=None):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def test_plot_loss_history_draws_both_curves(small_X):
    est = DenseAutoencoder(2, epochs=3, batch_size=32, random_state=0).fit(small_X)
    ax = plot_loss_history(est)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["train", "validation", "best"]
    assert list(ax.get_lines()[0].get_ydata()) == est.loss_curve_


def test_plot_reconstructions_grid(small_X):
    fig = plot_reconstructions(
        small_X, [small_X, small_X], image_shape=(8, 8), n_images=4
    )
    assert len(fig.axes) == 12
    assert fig.axes[0].get_ylabel() == "original"


@pytest.mark.parametrize(
    "marginal_bins, xscale",
    # Errors that are sums of -log tail probabilities are already logarithms.
    [(None, "log"), (20, "linear")],
)
def test_plot_error_histogram_splits_labels_and_marks_the_threshold(
    marginal_bins, xscale, small_X
):
    detector = ReconstructionOutlierDetector(
        PCA(4), contamination=0.1, marginal_bins=marginal_bins
    ).fit(small_X)
    y = (detector.predict(small_X) == -1).astype(int)
    ax = plot_error_histogram(detector, small_X, y)
    labels = set(ax.get_legend_handles_labels()[1])
    assert labels == {"inliers", "outliers", "threshold (contamination)"}
    counts = [sum(bar.get_height() for bar in c) for c in ax.containers]
    assert counts == [(y == 0).sum(), (y == 1).sum()]
    threshold_line = ax.get_lines()[0]
    assert threshold_line.get_xdata()[0] == detector.threshold_
    assert ax.get_xscale() == xscale


def test_plot_series_scores_marks_threshold_flags_and_truth():
    t = np.arange(1000)
    series = np.sin(2 * np.pi * t / 25)
    series[700:710] += 2.0
    detector = TimeSeriesOutlierDetector(
        ReconstructionOutlierDetector(PCA(3), marginal_bins=None), window=25
    ).fit(series[:500])
    truth = np.zeros(1000, dtype=int)
    truth[700:710] = 1
    fig = plot_series_scores(detector, series, anomalies=truth)
    top, bottom = fig.axes
    assert len(top.get_lines()) == 1 and len(top.patches) == 1  # the true anomaly
    score_line, threshold_line = bottom.get_lines()
    assert_allclose(score_line.get_ydata(), -detector.score_samples(series))
    assert threshold_line.get_ydata()[0] == -detector.offset_
    flagged = detector.anomalous_intervals(series)
    assert len(bottom.patches) == len(flagged) + 1 and len(flagged) >= 1
    # Intervals work as the truth too, and the time axis can start elsewhere.
    fig = plot_series_scores(detector, series, anomalies=[[700, 710]], start=500)
    assert fig.axes[0].get_lines()[0].get_xdata()[0] == 500


def test_timeseries_example(tmp_path):
    out = run_example(
        "timeseries_anomalies.py",
        "--data",
        "synthetic",
        "--quick",
        "--output",
        str(tmp_path),
    )
    assert "window chosen from the training part: 60 points" in out
    assert "within 100 points of the anomaly: True" in out
    assert (tmp_path / "timeseries_scores.png").stat().st_size > 0


def test_anomaly_detection_example(tmp_path):
    out = run_example(
        "anomaly_detection.py",
        "--data",
        "breast_cancer",
        "--quick",
        "--output",
        str(tmp_path),
    )
    assert "confusion matrix" in out and "ROC-AUC" in out
    auc = float(out.split("test set: ")[1].split()[0])
    assert auc > 0.8
    assert (tmp_path / "anomaly_error_histogram.png").stat().st_size > 0


def test_pca_vs_autoencoder_example(tmp_path):
    out = run_example(
        "pca_vs_autoencoder.py",
        "--output",
        str(tmp_path),
        "--epochs",
        "2",
        "--components",
        "2",
        "3",
    )
    assert "n_components= 2" in out and "n_components= 3" in out
    assert (tmp_path / "pca_vs_autoencoder_error.png").stat().st_size > 0
    assert (tmp_path / "pca_vs_autoencoder_codes.png").stat().st_size > 0


def test_fashion_mnist_example(tmp_path, shared_data_dir):
    out = run_example(
        "fashion_mnist_dense.py",
        "--epochs",
        "1",
        "--n-train",
        "600",
        "--models",
        "simple",
        "deep",
        "--output",
        str(tmp_path),
        env={"SKAE_DATA": str(shared_data_dir)},
    )
    assert "simple: test binary cross-entropy" in out
    assert (tmp_path / "fashion_loss_history.png").exists()
    assert (tmp_path / "fashion_deep_reconstructions.png").exists()


def test_fashion_mnist_conv_example(tmp_path, shared_data_dir):
    out = run_example(
        "fashion_mnist_conv.py",
        "--epochs",
        "1",
        "--n-train",
        "300",
        "--output",
        str(tmp_path),
        env={"SKAE_DATA": str(shared_data_dir)},
    )
    assert "conv:      test BCE" in out and "denoising: test BCE" in out
    for name in ("denoising", "reconstructions", "loss_history"):
        assert (tmp_path / f"fashion_conv_{name}.png").stat().st_size > 0


def test_fashion_mnist_search_example(tmp_path, shared_data_dir):
    out = run_example(
        "fashion_mnist_search.py",
        "--epochs",
        "1",
        "--n-train",
        "500",
        "--queries",
        "3",
        "--output",
        str(tmp_path),
        env={"SKAE_DATA": str(shared_data_dir)},
    )
    precisions = [
        float(line.split("precision@10 ")[1].split()[0])
        for line in out.splitlines()
        if "precision@10" in line
    ]
    # Ten classes: a search that ignored the images would score about 0.1.
    assert len(precisions) == 2 and all(p > 0.3 for p in precisions)
    assert (tmp_path / "fashion_search_neighbours.png").stat().st_size > 0


def test_vae_latent_space_example(tmp_path):
    out = run_example(
        "vae_latent_space.py",
        "--dataset",
        "digits",
        "--epochs",
        "2",
        "--grid",
        "5",
        "--output",
        str(tmp_path),
    )
    assert "test ELBO" in out and "importance-weighted bound" in out
    for name in ("vae_latent_space", "vae_latent_grid"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0


def test_demo_command_prints_both_errors():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skae.cli",
            "demo",
            "--components",
            "2",
            "--epochs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    row = [line for line in result.stdout.splitlines() if line.strip().startswith("2 ")]
    assert len(row) == 1
    pca_mse, ae_mse = (float(v) for v in row[0].split()[1:3])
    assert 0 < pca_mse < 0.1 and 0 < ae_mse < 0.2


def test_skae_load_is_exported():
    import skae

    assert callable(skae.load) and "DenseAutoencoder" in skae.__all__
