"""The examples run end to end, with tiny settings, and write their figures."""

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def environment(**changes):
    """This process's environment with ``changes``; a None value removes."""
    merged = {**os.environ, **changes}
    return {name: value for name, value in merged.items() if value is not None}


# For tests of what happens without the data files: a SKAE_DATA set by the
# developer (as the README suggests for the real-data tests) would supply them.
NO_DATA_FOLDER = {"SKAE_DATA": None}


def run_example(name, *args, env=None):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment(**(env or {})),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


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
    for name in ("error_histogram", "feature_errors"):
        assert (tmp_path / f"anomaly_{name}.png").stat().st_size > 0


def test_image_anomalies_example(tmp_path):
    out = run_example(
        "image_anomalies.py",
        "--data-home",
        str(tmp_path / "no-data"),  # the bundled digits
        "--epochs",
        "5",
        "--output",
        str(tmp_path),
        env=NO_DATA_FOLDER,
    )
    assert "using scikit-learn's 8 x 8 digits" in out
    auc = float(out.split("ROC-AUC, skae detector: ")[1].split()[0])
    assert auc > 0.9
    for name in ("normal", "anomalous", "scores"):
        assert (tmp_path / f"image_anomalies_{name}.png").stat().st_size > 0


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
        "--n-test",
        "500",
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
        "--n-test",
        "1000",
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


def test_demo_prints_both_errors_and_writes_the_report(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skae.cli",
            "demo",
            "--components",
            "2",
            "3",
            "--epochs",
            "2",
            "--out",
            str(tmp_path / "report"),
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
    # One progress line per model on standard error, and nothing else there.
    lines = result.stderr.splitlines()
    assert [re.sub(r"[0-9.]+ s$", "T s", line) for line in lines] == [
        "autoencoder, code size 2: 2 epochs, T s",
        "autoencoder, code size 3: 2 epochs, T s",
        "outlier detector: 2 epochs, T s",
    ]
    page = (tmp_path / "report" / "report.html").read_text()
    figures = sorted(p.name for p in (tmp_path / "report").glob("*.png"))
    assert len(figures) >= 5
    assert page.count('src="data:image/png;base64,') == len(figures)
    for section in ("Reconstruction error against code size", "Latent space"):
        assert f"<h2>{section}</h2>" in page
    assert "ROC-AUC" in page and "<table>" in page


def test_skae_load_is_exported():
    import skae

    assert callable(skae.load) and "DenseAutoencoder" in skae.__all__


def test_demo_on_mnist_files(tmp_path, shared_data_dir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skae.cli",
            "demo",
            "--data",
            "mnist",
            "--n-train",
            "400",
            "--components",
            "2",
            "--epochs",
            "1",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment(SKAE_DATA=str(shared_data_dir)),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "mnist: 400 training and 100 held-out images of 784 pixels" in result.stdout
    assert "28x28 pixels" in (tmp_path / "report.html").read_text()


def test_demo_without_the_files_says_where_it_looked(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skae.cli",
            "demo",
            "--data",
            "fashion-mnist",
            "--data-home",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment(**NO_DATA_FOLDER),
    )
    assert result.returncode == 1
    assert result.stderr.startswith("skae demo: ") and str(tmp_path) in result.stderr
    assert "Traceback" not in result.stderr
