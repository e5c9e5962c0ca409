"""``skae demo``: autoencoder against PCA, with an HTML report of what it showed."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ._output import prepare_folder, writing

DATA_SETS = ("digits", "mnist", "fashion-mnist")
# The class left out of the anomaly detector's training data: it is the anomaly.
ANOMALOUS_CLASS = 7


def add_demo_command(commands) -> None:
    """Add ``skae demo`` to the subcommands."""
    demo = commands.add_parser(
        "demo",
        help="autoencoder vs PCA: held-out reconstruction error, optional report",
        description=(
            "Fit PCA and a default DenseAutoencoder at several code sizes and print "
            "their held-out reconstruction errors. With --out, also write an HTML "
            "report with figures: errors against code size, reconstructions, the "
            "latent space, training curves and an anomaly-detection run."
        ),
    )
    demo.add_argument(
        "--components",
        type=int,
        nargs="+",
        default=[2, 4, 8, 16],
        help="code sizes to compare (default: 2 4 8 16)",
    )
    demo.add_argument("--epochs", type=int, default=200, help="most epochs per fit")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    demo.add_argument(
        "--data",
        choices=DATA_SETS,
        default="digits",
        help="digits (bundled with scikit-learn, the default), or MNIST or "
        "Fashion-MNIST read from --data-home",
    )
    demo.add_argument(
        "--data-home",
        type=Path,
        default=None,
        help="folder of the MNIST / Fashion-MNIST IDX files (default: $SKAE_DATA)",
    )
    demo.add_argument(
        "--n-train",
        type=int,
        default=10000,
        help="most training images of MNIST / Fashion-MNIST (default: 10000)",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write report.html and its figures into",
    )
    demo.set_defaults(handler=run_demo)


def load_images(args: argparse.Namespace):
    """Return ``(X_train, X_test, y_train, y_test, side)``, pixels in [0, 1]."""
    if args.data == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        digits = load_digits()
        X_train, X_test, y_train, y_test = train_test_split(
            digits.data / 16.0, digits.target, test_size=0.25, random_state=args.seed
        )
        return X_train, X_test, y_train, y_test, 8
    from ..datasets import load_fashion_mnist, load_mnist

    loader = load_mnist if args.data == "mnist" else load_fashion_mnist
    X_train, y_train = loader("train", data_home=args.data_home, download=False)
    X_test, y_test = loader("test", data_home=args.data_home, download=False)
    n_test = max(1, args.n_train // 4)
    n_train = args.n_train
    return X_train[:n_train], X_test[:n_test], y_train[:n_train], y_test[:n_test], 28


def run_demo(args: argparse.Namespace) -> int:
    """Fit PCA and a default DenseAutoencoder per code size; print held-out errors."""
    if args.out is not None:
        prepare_folder(args.out, "skae demo")
    try:
        X_train, X_test, y_train, y_test, side = load_images(args)
    except (OSError, ValueError) as error:
        raise SystemExit(f"skae demo: {error}") from None
    # After the data are found: a missing file is reported without the
    # seconds that importing Keras takes.
    from sklearn.decomposition import PCA

    from ..autoencoder import DenseAutoencoder
    from ..metrics import round_trip_error
    from ._progress import EpochProgressBar

    print(
        f"{args.data}: {X_train.shape[0]} training and {X_test.shape[0]} held-out "
        f"images of {X_train.shape[1]} pixels in [0, 1]; Keras backend: {_backend()}"
    )
    print(f"{'code size':>9}  {'PCA MSE':>9}  {'autoencoder MSE':>15}  {'fit s':>6}")
    results = []
    for n_components in args.components:
        pca = PCA(n_components=n_components).fit(X_train)
        start = time.perf_counter()
        # Defaults but the budget and the seed: what a new user gets.
        bar = EpochProgressBar(f"autoencoder, code size {n_components}", args.epochs)
        autoencoder = DenseAutoencoder(
            n_components, epochs=args.epochs, random_state=args.seed, callbacks=[bar]
        ).fit(X_train)
        seconds = time.perf_counter() - start
        errors = round_trip_error(pca, X_test), round_trip_error(autoencoder, X_test)
        results.append((n_components, pca, autoencoder, *errors, seconds))
        print(
            f"{n_components:>9}  {errors[0]:>9.5f}  {errors[1]:>15.5f}  {seconds:>6.1f}"
        )
    if args.out is not None:
        with writing(args.out, "skae demo"):
            path = write_report(args, results, (X_train, X_test, y_train, y_test, side))
        print(f"report written to {path}")
    return 0


def write_report(args: argparse.Namespace, results, data) -> Path:
    """Write ``report.html`` and its figures into ``args.out``; return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import (
        CodeSizeDisplay,
        LatentSpaceDisplay,
        ReconstructionDisplay,
        TrainingHistoryDisplay,
    )
    from ._report import HtmlReport

    X_train, X_test, y_train, y_test, side = data
    report = HtmlReport(args.out, f"skae demo: autoencoders and PCA on {args.data}")
    report.paragraph(
        f"{len(X_train)} training and {len(X_test)} held-out images of "
        f"{side}x{side} pixels, scaled to [0, 1]. Keras backend: {_backend()}. "
        f"Every autoencoder is DenseAutoencoder(n_components) with its defaults, "
        f"at most {args.epochs} epochs, seed {args.seed}."
    )

    report.heading("Reconstruction error against code size")
    report.table(
        ["code size", "PCA MSE", "autoencoder MSE", "autoencoder / PCA", "fit s"],
        [
            [str(k), f"{p:.5f}", f"{a:.5f}", f"{a / p:.2f}", f"{s:.1f}"]
            for k, _, _, p, a, s in results
        ],
    )
    sizes = [r[0] for r in results]
    curves = CodeSizeDisplay(
        n_components=sizes,
        errors={"PCA": [r[3] for r in results], "autoencoder": [r[4] for r in results]},
    ).plot()
    report.figure(
        curves.figure_,
        "code_size",
        "Mean squared error of the held-out images, reconstructed from codes of "
        "each size (lower is better).",
    )

    k, pca, autoencoder = results[len(results) // 2][:3]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 3.4))
    for ax, model, name in ((top, autoencoder, "autoencoder"), (bottom, pca, "PCA")):
        ReconstructionDisplay.from_estimator(
            model, X_test, n_samples=10, image_shape=(side, side), ax=ax
        )
        ax.set_title(f"{name}, code size {k}")
    report.heading("Reconstructions")
    report.figure(
        figure,
        "reconstructions",
        f"The first ten held-out images over their reconstructions from {k} "
        "numbers, by the autoencoder and by PCA.",
    )

    k, pca, autoencoder = results[0][:3]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax, model, name in zip(
        axes, (autoencoder, pca), ("autoencoder", "PCA"), strict=True
    ):
        LatentSpaceDisplay.from_estimator(
            model, X_test, y_test, ax=ax, random_state=args.seed
        )
        ax.set_title(f"{name}: codes of size {k}")
    report.heading("Latent space")
    report.figure(
        figure,
        "latent_space",
        "Codes of the held-out images coloured by class"
        + (" (codes wider than 2: first two principal components)." if k > 2 else "."),
    )

    columns = min(4, len(results))
    rows = -(-len(results) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4 * columns, 3 * rows), squeeze=False
    )
    for ax, (k, _, autoencoder, *_) in zip(axes.ravel(), results, strict=False):
        TrainingHistoryDisplay.from_estimator(autoencoder, ax=ax, name=f"code size {k}")
    for ax in axes.ravel()[len(results) :]:
        ax.set_axis_off()
    figure.tight_layout()
    report.heading("Training")
    report.figure(
        figure,
        "training",
        "Loss per epoch on the training rows and the validation rows held out "
        "for early stopping; the dotted line marks the epoch whose weights were kept.",
    )

    anomaly_section(report, args, data)
    return report.write()


def anomaly_section(report, args: argparse.Namespace, data) -> None:
    """Train a detector without one class; find that class among held-out images."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score

    from ..outlier import ReconstructionOutlierDetector
    from ..outlier._detector import default_autoencoder
    from ..plotting import AnomalyScoreDisplay, FeatureErrorDisplay
    from ._progress import EpochProgressBar

    X_train, X_test, y_train, y_test, side = data
    normal = X_train[y_train != ANOMALOUS_CLASS]
    inner = default_autoencoder(X_train.shape[1], random_state=args.seed)
    inner.set_params(
        epochs=args.epochs,
        callbacks=[EpochProgressBar("outlier detector", args.epochs)],
    )
    detector = ReconstructionOutlierDetector(inner, random_state=args.seed)
    detector.fit(normal)
    is_anomaly = (y_test == ANOMALOUS_CLASS).astype(int)
    scores = detector.anomaly_score(X_test)
    auc = roc_auc_score(is_anomaly, scores)
    flagged = scores > detector.threshold_  # what predict flags, not scored again
    report.heading("Anomaly detection")
    report.paragraph(
        f"A ReconstructionOutlierDetector with its defaults was trained on the "
        f"{len(normal)} training images of every class but {ANOMALOUS_CLASS}; the "
        f"held-out images of class {ANOMALOUS_CLASS} ({is_anomaly.sum()} of "
        f"{len(X_test)}) are the anomalies. ROC-AUC {auc:.3f}. Its threshold "
        f"({detector.threshold_rule_}) flags {flagged.sum()} images, "
        f"{(flagged & (is_anomaly == 1)).sum()} of them anomalies."
    )
    histogram = AnomalyScoreDisplay.from_estimator(detector, X_test, is_anomaly)
    report.figure(
        histogram.figure_,
        "anomaly_scores",
        "Anomaly scores of the held-out images, normal classes and the left-out "
        "class apart, with the detector's threshold.",
    )
    worst = int(np.argmax(scores))
    figure, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6))
    left.imshow(X_test[worst].reshape(side, side), cmap="gray")
    left.set(title=f"held-out image {worst} (class {y_test[worst]})")
    left.set_axis_off()
    FeatureErrorDisplay.from_estimator(
        detector, X_test, sample=worst, image_shape=(side, side), ax=right
    )
    report.figure(
        figure,
        "anomaly_pixels",
        "The most anomalous held-out image and the reconstruction error of each "
        "of its pixels (in the detector's standardised units: a pixel that was "
        "almost always dark in training costs much when lit).",
    )
    print(f"anomaly detection (class {ANOMALOUS_CLASS} left out): ROC-AUC {auc:.3f}")


def _backend() -> str:
    import keras

    return keras.backend.backend()
