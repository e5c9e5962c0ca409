"""The latent space of a variational autoencoder
=============================================

The tutorials' VAE figures: a 2-D latent space by class, and a decoded grid.

Fits a VariationalAutoencoder with two latent dimensions (dense by default,
``--architecture conv`` for the convolutional one) with a Bernoulli likelihood,
prints the held-out ELBO and the importance-weighted bound, and saves

- the posterior means of the test images, coloured by class;
- the images decoded from a grid over the standard normal prior's quantiles
  (so the grid covers the prior evenly), with the latent values on the axes.

Data: MNIST or Fashion-MNIST from --data-home, SKAE_DATA or ../shared/data;
``--dataset digits`` uses scikit-learn's bundled 8 x 8 digits (no files needed).

Run it from the repository root::

    python examples/vae_latent_space.py --dataset mnist --epochs 30
"""

import argparse
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from skae import VariationalAutoencoder  # noqa: E402
from skae.plotting import LatentGridDisplay, LatentSpaceDisplay  # noqa: E402


def load(name: str, data_home):
    """Return (X_train, y_train, X_test, y_test, side) with pixels in [0, 1]."""
    if name == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        data = load_digits()
        split = train_test_split(
            data.data / 16, data.target, test_size=0.25, random_state=0
        )
        return split[0], split[2], split[1], split[3], 8
    from skae.datasets import load_fashion_mnist, load_mnist

    loader = load_mnist if name == "mnist" else load_fashion_mnist
    home = data_home or os.environ.get("SKAE_DATA") or "../shared/data"
    X_train, y_train = loader("train", data_home=home, download=False)
    X_test, y_test = loader("test", data_home=home, download=False)
    return X_train, y_train, X_test, y_test, 28


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["mnist", "fashion-mnist", "digits"])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--architecture", choices=["dense", "conv"], default="dense")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--n-train", type=int, default=None, help="first N images")
    parser.add_argument("--grid", type=int, default=15, help="images per grid side")
    parser.add_argument("--output", type=Path, default=Path("figures"))
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    X_train, _, X_test, y_test, side = load(args.dataset or "mnist", args.data_home)
    X_train = X_train[: args.n_train]
    vae = VariationalAutoencoder(
        2,
        architecture=args.architecture,
        loss="binary_crossentropy",
        epochs=args.epochs,
        random_state=0,
    ).fit(X_train)
    elbo = vae.score(X_test)
    bound = vae.score_samples(X_test[:500], importance_samples=100).mean()
    print(
        f"{args.dataset or 'mnist'}: test ELBO {elbo:.2f} nats per image; "
        f"importance-weighted bound (K=100, 500 images) {bound:.2f} "
        f"({vae.n_iter_} epochs)"
    )

    latent = LatentSpaceDisplay.from_estimator(vae, X_test, y_test)
    latent.ax_.set_title("posterior means of the test images")
    latent.figure_.savefig(args.output / "vae_latent_space.png", dpi=80)

    # Quantiles of N(0, 1) spaced evenly in probability cover the prior evenly.
    grid = LatentGridDisplay.from_estimator(
        vae, n_points=args.grid, image_shape=(side, side)
    )
    grid.ax_.set_title("decoded over the prior's quantiles")
    grid.figure_.savefig(args.output / "vae_latent_grid.png", dpi=80)
    print(f"figures written to {args.output}/")


if __name__ == "__main__":
    main()
