"""Dense autoencoders on Fashion-MNIST
===================================

The tutorial's dense autoencoders on Fashion-MNIST, each in one line of skae.

Trains the simple (784-32-784), sparse (L1 on the code) and deep (128-64-32)
models with binary cross-entropy, prints each one's test loss, and saves the
tutorial's figures: the loss history per model and test images above their
reconstructions.

Data: the four Fashion-MNIST IDX files, found through --data-home, SKAE_DATA or
the Keras cache (downloaded through Keras when online).

Run it from the repository root::

    python examples/fashion_mnist_dense.py --epochs 20 --output figures/
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skae import DenseAutoencoder  # noqa: E402
from skae.datasets import load_fashion_mnist  # noqa: E402
from skae.plotting import ReconstructionDisplay, TrainingHistoryDisplay  # noqa: E402


def seed_models(epochs: int) -> dict[str, DenseAutoencoder]:
    """The tutorials' three dense models, with their loss and activations."""
    common = dict(
        code_activation="relu",
        loss="binary_crossentropy",
        epochs=epochs,
        random_state=0,
    )
    return {
        "simple": DenseAutoencoder(32, **common),
        "sparse": DenseAutoencoder(32, activity_l1=1e-8, **common),
        "deep": DenseAutoencoder(32, hidden_layer_sizes=(128, 64), **common),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--n-train",
        type=int,
        default=None,
        help="use only the first N training images (quick runs)",
    )
    parser.add_argument("--models", nargs="+", default=["simple", "sparse", "deep"])
    parser.add_argument("--output", type=Path, default=Path("figures"))
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    X_train, _ = load_fashion_mnist("train", data_home=args.data_home)
    X_test, _ = load_fashion_mnist("test", data_home=args.data_home)
    X_train = X_train[: args.n_train]

    models = {name: seed_models(args.epochs)[name] for name in args.models}
    fig, axes = plt.subplots(
        1, len(models), figsize=(5 * len(models), 3.5), squeeze=False
    )
    for ax, (name, model) in zip(axes[0], models.items(), strict=True):
        model.fit(X_train)
        print(
            f"{name:>6}: test binary cross-entropy {-model.score(X_test):.4f} "
            f"after {model.n_iter_} epochs (best epoch {model.best_epoch_})"
        )
        TrainingHistoryDisplay.from_estimator(model, ax=ax, name=f"{name} autoencoder")
        ReconstructionDisplay.from_estimator(
            model, X_test, n_samples=10, image_shape=(28, 28)
        ).figure_.savefig(args.output / f"fashion_{name}_reconstructions.png", dpi=80)
    fig.tight_layout()
    fig.savefig(args.output / "fashion_loss_history.png", dpi=80)
    print(f"figures written to {args.output}/")


if __name__ == "__main__":
    main()
