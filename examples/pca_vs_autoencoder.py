"""PCA versus a dense autoencoder
==============================

Dimensionality reduction side by side: PCA and a DenseAutoencoder on digits.

Fits both at several code sizes, prints the held-out reconstruction errors, and
saves two figures: error against code size, and the 2-D codes coloured by digit.
Runs on scikit-learn's bundled digits (no download) in about a minute.

Run it from the repository root::

    python examples/pca_vs_autoencoder.py --output figures/
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skae import DenseAutoencoder  # noqa: E402
from skae.metrics import round_trip_error  # noqa: E402
from skae.plotting import CodeSizeDisplay, LatentSpaceDisplay  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("figures"))
    parser.add_argument("--components", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.25, random_state=0
    )
    errors = {"PCA": [], "autoencoder": []}
    models = {}
    for k in args.components:
        pca = PCA(k).fit(X_train)
        ae = DenseAutoencoder(
            k, hidden_layer_sizes=(128, 64), epochs=args.epochs, random_state=0
        ).fit(X_train)
        models[k] = (pca, ae)
        errors["PCA"].append(round_trip_error(pca, X_test))
        errors["autoencoder"].append(round_trip_error(ae, X_test))
        print(
            f"n_components={k:>2}: PCA {errors['PCA'][-1]:.4f}  "
            f"autoencoder {errors['autoencoder'][-1]:.4f}"
        )

    curves = CodeSizeDisplay(n_components=args.components, errors=errors).plot()
    curves.ax_.set_title("Reconstruction error on digits")
    curves.figure_.tight_layout()
    curves.figure_.savefig(args.output / "pca_vs_autoencoder_error.png", dpi=100)

    k = min(args.components)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, model, name in zip(axes, models[k], ("PCA", "autoencoder"), strict=True):
        LatentSpaceDisplay.from_estimator(model, X_test, y_test, ax=ax)
        ax.set(title=f"{name}: {k}-D codes of held-out digits")
    fig.tight_layout()
    fig.savefig(args.output / "pca_vs_autoencoder_codes.png", dpi=100)
    print(f"figures written to {args.output}/")


if __name__ == "__main__":
    main()
