"""``skae demo``: autoencoder against PCA on the bundled digits."""

from __future__ import annotations

import argparse
import time


def run_demo(args: argparse.Namespace) -> int:
    """Fit PCA and a default DenseAutoencoder per code size; print held-out errors."""
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    from ..autoencoder import DenseAutoencoder
    from ..metrics import round_trip_error

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
        # Defaults but the budget and the seed: what a new user gets.
        autoencoder = DenseAutoencoder(
            n_components, epochs=args.epochs, random_state=args.seed
        ).fit(X_train)
        seconds = time.perf_counter() - start
        print(
            f"{n_components:>9}  {round_trip_error(pca, X_test):>9.5f}  "
            f"{round_trip_error(autoencoder, X_test):>15.5f}  {seconds:>6.1f}"
        )
    return 0


def _backend() -> str:
    import keras

    return keras.backend.backend()
