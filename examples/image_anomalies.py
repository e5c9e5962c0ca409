"""Anomaly detection on images
============================

One-class anomaly detection on images with a convolutional autoencoder inside
the outlier detector: fit on images of one class only, then find the images
of every other class among new ones.

With a ``ConvAutoencoder`` inside, ``ReconstructionOutlierDetector`` keeps
the pixels as they are (no per-pixel scaling, no per-pixel histograms) and
scores an image by its reconstruction error, the distance of its code from
the training codes, and the distance to its nearest training codes
(``docs/outliers.md``). The script prints the ROC-AUC of that score next to
scikit-learn's ``IsolationForest`` on the raw pixels, and draws the test
images the detector finds most normal and most anomalous, and the scores of
each digit with the threshold.

Data: MNIST from ``--data-home``, ``SKAE_DATA`` or ``../shared/data`` when it
is there (28 x 28 images); otherwise scikit-learn's bundled digits (8 x 8).

Run it from the repository root::

    python examples/image_anomalies.py --digit 7 --output figures/
"""

import argparse
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from skae import ConvAutoencoder, ReconstructionOutlierDetector  # noqa: E402

DATA = Path(
    os.environ.get("SKAE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def load_images(data_home: Path):
    """Return train and test images in [0, 1], shaped (n, h, w), with labels."""
    from skae.datasets import load_mnist

    try:
        X_train, y_train = load_mnist(
            "train", data_home=data_home, flatten=False, download=False
        )
        X_test, y_test = load_mnist(
            "test", data_home=data_home, flatten=False, download=False
        )
        return "MNIST", X_train, y_train, X_test, y_test
    except (OSError, ValueError):
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        print("MNIST not found: using scikit-learn's 8 x 8 digits")
        digits = load_digits()
        images = (digits.images / 16.0).astype(np.float32)
        X_train, X_test, y_train, y_test = train_test_split(
            images, digits.target, test_size=0.5, random_state=0
        )
        return "digits", X_train, y_train, X_test, y_test


def image_grid(images, titles, suptitle):
    figure, axes = plt.subplots(1, len(images), figsize=(1.3 * len(images), 1.8))
    for ax, image, title in zip(axes, images, titles, strict=True):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    figure.suptitle(suptitle, fontsize=10)
    figure.tight_layout()
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", type=Path, default=DATA)
    parser.add_argument("--digit", type=int, default=7, help="the normal class")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--output", type=Path, default=Path("figures"))
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    name, X_train, y_train, X_test, y_test = load_images(args.data_home)
    normal = X_train[y_train == args.digit]
    is_anomaly = (y_test != args.digit).astype(int)
    print(
        f"{name}: fit on {len(normal)} training images of {args.digit}; score "
        f"{len(X_test)} test images ({is_anomaly.sum()} of other digits)"
    )

    # Small images need fewer levels of pooling than the default three.
    filters = (32, 16, 16) if normal.shape[1] >= 16 else (16, 8)
    detector = ReconstructionOutlierDetector(
        ConvAutoencoder(filters=filters, epochs=args.epochs, random_state=0),
        random_state=0,
    ).fit(normal)
    scores = detector.anomaly_score(X_test)
    forest = IsolationForest(random_state=0).fit(normal.reshape(len(normal), -1))
    forest_scores = -forest.score_samples(X_test.reshape(len(X_test), -1))
    for method, values in (
        ("skae detector", scores),
        ("IsolationForest", forest_scores),
    ):
        print(f"ROC-AUC, {method}: {roc_auc_score(is_anomaly, values):.3f}")
    flagged = detector.predict(X_test) == -1
    print(
        f"flagged with the default threshold: {flagged.sum()} test images, "
        f"{np.mean(is_anomaly[flagged]):.0%} of them other digits"
    )

    order = np.argsort(scores)
    for label, rows in (
        ("most normal", order[:8]),
        ("most anomalous", order[-8:][::-1]),
    ):
        figure = image_grid(
            X_test[rows],
            [f"{y_test[i]}: {scores[i]:.1f}" for i in rows],
            f"{name}, normal class {args.digit}: the {label} test images "
            "(digit: score)",
        )
        figure.savefig(args.output / f"image_anomalies_{label.split()[1]}.png", dpi=100)
    # The scores of each digit: the normal one low, the others far above the
    # threshold (a log scale, since the score grows without bound).
    figure, ax = plt.subplots(figsize=(6, 3.5))
    ax.boxplot([1 + scores[y_test == d] for d in range(10)], showfliers=False)
    ax.set_xticks(range(1, 11), [str(d) for d in range(10)])
    ax.axhline(1 + detector.threshold_, color="k", linestyle="--", label="threshold")
    ax.set(
        yscale="log",
        xlabel="digit of the test image",
        ylabel="1 + anomaly score",
        title=f"{name}: scores of the test images, normal class {args.digit}",
    )
    ax.legend()
    figure.tight_layout()
    figure.savefig(args.output / "image_anomalies_scores.png", dpi=100)
    print(f"figures written to {args.output}/")


if __name__ == "__main__":
    main()
