"""Anomaly detection with a threshold
==================================

Anomaly detection by reconstruction error: fit on normal data, pick a threshold.

The workflow a practitioner copies:

1. fit a ReconstructionOutlierDetector on normal samples only;
2. choose a threshold: the robust default (median + 3 MAD of the training
   errors, no guess of the outlier rate needed), or the rate of false alarms
   you accept on a separate clean validation set (``set_threshold``);
3. plot the histogram of errors with the threshold;
4. report the confusion matrix on labelled test data, and which features made
   the worst sample anomalous: those it reconstructs worst, and those whose
   values are rarest on their own.

Data: the ODDS cardio set (cardiotocography, 21 features, 176 pathologic
recordings) from ``$SKAE_DATA/odds`` or ``../shared/data/odds``; without it,
scikit-learn's bundled breast cancer data (30 features), with the malignant
tumours as the anomalies.

Run it from the repository root::

    python examples/anomaly_detection.py --output figures/
"""

import argparse
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    classification_report,
    confusion_matrix,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split  # noqa: E402

from skae import DenseAutoencoder, ReconstructionOutlierDetector  # noqa: E402
from skae.plotting import AnomalyScoreDisplay, FeatureErrorDisplay  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ODDS = Path(os.environ.get("SKAE_DATA", DATA)) / "odds"


def load_data(name: str):
    """Return X, y (1 = anomaly) and feature names."""
    if name == "cardio" and (ODDS / "cardio.mat").is_file():
        from scipy.io import loadmat

        data = loadmat(ODDS / "cardio.mat")
        X, y = data["X"], data["y"].ravel().astype(int)
        return X, y, [f"feature{j}" for j in range(X.shape[1])]
    from sklearn.datasets import load_breast_cancer

    print("ODDS cardio not found: using breast cancer, with malignant as anomaly")
    data = load_breast_cancer()
    return data.data, (data.target == 0).astype(int), list(data.feature_names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["cardio", "breast_cancer"], default="cardio")
    parser.add_argument("--output", type=Path, default=Path("figures"))
    parser.add_argument("--max-fpr", type=float, default=0.02)
    parser.add_argument("--quick", action="store_true", help="a tiny model")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    X, y, features = load_data(args.data)
    normal, anomalies = X[y == 0], X[y == 1]
    # Normal data only for fitting; a clean validation set for the threshold;
    # the test set holds the remaining normal samples and every anomaly.
    X_fit, X_rest = train_test_split(normal, test_size=0.4, random_state=0)
    X_valid, X_test_normal = train_test_split(X_rest, test_size=0.5, random_state=0)
    X_test = np.vstack([X_test_normal, anomalies])
    y_test = np.r_[np.zeros(len(X_test_normal), int), np.ones(len(anomalies), int)]
    print(
        f"fit on {len(X_fit)} normal samples; validate on {len(X_valid)}; test on "
        f"{len(X_test_normal)} normal + {len(anomalies)} anomalies"
    )

    # estimator=None: the default autoencoder, sized from the number of features.
    estimator = None
    if args.quick:  # a few epochs only, for a smoke run
        estimator = DenseAutoencoder(4, hidden_layer_sizes=(16,), epochs=3)
    detector = ReconstructionOutlierDetector(estimator, random_state=0).fit(X_fit)
    auc = roc_auc_score(y_test, -detector.score_samples(X_test))
    print(f"ROC-AUC of the detector's error on the test set: {auc:.3f}")

    def report(rule: str) -> None:
        flagged = detector.predict(X_test) == -1
        print(f"\nthreshold {detector.threshold_:.4g} ({rule})")
        print("confusion matrix (rows: true normal, anomaly; columns: predicted)")
        print(confusion_matrix(y_test, flagged.astype(int)))
        print(
            classification_report(
                y_test,
                flagged.astype(int),
                target_names=["normal", "anomaly"],
                digits=3,
            )
        )

    report("robust default: median + 3 MAD of the training errors")
    detector.set_threshold(X_valid, max_fpr=args.max_fpr)
    report(f"at most {args.max_fpr:.0%} false alarms on the clean validation set")

    histogram = AnomalyScoreDisplay.from_estimator(detector, X_test, y_test)
    histogram.ax_.set_title(f"{args.data}: errors of the test set")
    histogram.figure_.tight_layout()
    histogram.figure_.savefig(args.output / "anomaly_error_histogram.png", dpi=100)
    # Which features made the most anomalous test sample stand out.
    contributions = FeatureErrorDisplay.from_estimator(
        detector, X_test, feature_names=features
    )
    contributions.figure_.tight_layout()
    contributions.figure_.savefig(args.output / "anomaly_feature_errors.png", dpi=100)

    worst = int(np.argmax(detector.anomaly_score(X_test)))
    per_feature = detector.reconstruction_error(X_test[[worst]], per_feature=True)[0]
    top = np.argsort(per_feature)[::-1][:3]
    print(
        f"most anomalous test sample: #{worst} (label {y_test[worst]}); its largest "
        "errors: " + ", ".join(f"{features[j]} {per_feature[j]:.3g}" for j in top)
    )
    rarity = detector.feature_rarity(X_test[[worst]])[0]
    rarest = np.argsort(rarity)[::-1][:3]
    print(
        "its rarest values on their own (-log p): "
        + ", ".join(f"{features[j]} {rarity[j]:.3g}" for j in rarest)
    )
    print(f"figure written to {args.output}/anomaly_error_histogram.png")


if __name__ == "__main__":
    main()
