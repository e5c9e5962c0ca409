"""The ``skae`` command line.

``skae demo`` fits a DenseAutoencoder and PCA at the same code sizes on
scikit-learn's digits (bundled, no download) and prints their held-out
reconstruction errors side by side. ``skae detect fit`` and ``skae detect score``
fit an outlier detector on a file of normal data and score other files with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence

from ._cli_detect import add_detect_command


def _demo(args: argparse.Namespace) -> int:
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    from . import DenseAutoencoder
    from .metrics import reconstruction_error

    X = load_digits().data / 16.0
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=args.seed)
    print(
        f"digits: {X_train.shape[0]} training and {X_test.shape[0]} held-out images "
        f"of {X.shape[1]} pixels in [0, 1]; Keras backend: {_backend()}"
    )
    print(f"{'code size':>9}  {'PCA MSE':>9}  {'autoencoder MSE':>15}  {'fit s':>6}")
    for n_components in args.components:
        pca = PCA(n_components=n_components).fit(X_train)
        start = time.perf_counter()
        autoencoder = DenseAutoencoder(
            n_components,
            hidden_layer_sizes=(128, 64),
            epochs=args.epochs,
            random_state=args.seed,
        ).fit(X_train)
        seconds = time.perf_counter() - start
        print(
            f"{n_components:>9}  {reconstruction_error(pca, X_test):>9.5f}  "
            f"{reconstruction_error(autoencoder, X_test):>15.5f}  {seconds:>6.1f}"
        )
    return 0


def _backend() -> str:
    import keras

    return keras.backend.backend()


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``skae`` command."""
    parser = argparse.ArgumentParser(
        prog="skae", description="scikit-learn-native autoencoders for Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="autoencoder vs PCA on digits: held-out reconstruction error"
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
    demo.set_defaults(handler=_demo)
    add_detect_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skae`` command with ``argv`` (default: ``sys.argv[1:]``)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # TensorFlow logs a retracing notice for every new model; it is noise here.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
