"""Small-data speed: skae on TensorFlow, JAX and PyTorch next to MLPRegressor.

Usage::

    python benchmarks/bench_small_data.py [--epochs 200] [--repeats 3]
        [--backends tensorflow jax torch]

Data: scikit-learn's bundled digits (1 797 images of 8x8 pixels, divided by 16),
split 75/25 with ``random_state=0``: 1 347 training rows, 450 held out.

Two figures per backend, every backend in its own fresh process of the same run
(a process can hold one Keras backend):

- **The same network as MLPRegressor**: 64-32-8-32-64 with ReLU on every hidden
  layer (the code too), a linear output, Adam at 1e-3, batches of 200 (the size
  ``MLPRegressor`` picks, ``min(200, n_samples)``), exactly ``--epochs`` epochs
  (no early stopping, no tolerance stop), squared error. ``MLPRegressor`` runs in
  this process with the same settings. Reported: the first ``fit`` (which
  compiles) and the median of ``--repeats`` further fits of new models, each
  seeded anew (0, 1, ...), and the held-out mean squared error averaged over
  all of them, with its range.
- **The default model**: ``DenseAutoencoder(n_components=8, random_state=seed)``
  with nothing else set (early stopping on 10 % of the rows): the first fit and
  the median of the further ones, epochs run, held-out error, and ``PCA(8)``'s
  held-out error for reference.

Times are wall-clock seconds on whatever machine runs this; read them side by
side, never against another machine's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

SAME_NETWORK = {
    "n_components": 8,
    "hidden_layer_sizes": (32,),
    "activation": "relu",
    "code_activation": "relu",
    "batch_size": 200,
    "learning_rate": 1e-3,
    "optimizer": "adam",
    "early_stopping": False,
    "tol": 0.0,
}


def digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X = load_digits().data.astype("float32") / 16
    train, test = train_test_split(X, test_size=0.25, random_state=0)
    return train, test


def timed_fits(make, fit_args: tuple, test: np.ndarray, repeats: int) -> dict:
    """Fit ``repeats + 1`` new models on ``fit_args``, seeded 0, 1, ...: the
    first fit's seconds, the median of the others, and the held-out error and
    epochs averaged over all of them (one seed's error is noisy: a ReLU code
    may lose units for good)."""
    seconds, errors, epochs = [], [], []
    for seed in range(repeats + 1):
        model = make(seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(*fit_args)
        seconds.append(time.perf_counter() - start)
        errors.append(float(np.mean((model.predict(test) - test) ** 2)))
        epochs.append(int(model.n_iter_))
    return {
        "first_s": seconds[0],
        "median_s": statistics.median(seconds[1:]),
        "test_mse": statistics.mean(errors),
        "test_mse_range": (min(errors), max(errors)),
        "epochs": statistics.mean(epochs),
    }


def run_backend(epochs: int, repeats: int) -> dict:
    """Measure skae on this process's backend (``KERAS_BACKEND``)."""
    import keras

    from skae import DenseAutoencoder

    train, test = digits()
    same = timed_fits(
        lambda seed: DenseAutoencoder(**SAME_NETWORK, epochs=epochs, random_state=seed),
        (train,),
        test,
        repeats,
    )
    default = timed_fits(
        lambda seed: DenseAutoencoder(n_components=8, random_state=seed),
        (train,),
        test,
        repeats,
    )
    return {"backend": keras.backend.backend(), "same": same, "default": default}


def run_mlp(epochs: int, repeats: int) -> dict:
    from sklearn.decomposition import PCA
    from sklearn.neural_network import MLPRegressor

    train, test = digits()
    mlp = timed_fits(
        lambda seed: MLPRegressor(
            hidden_layer_sizes=(32, 8, 32),
            activation="relu",
            solver="adam",
            learning_rate_init=1e-3,
            batch_size=200,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            random_state=seed,
        ),
        (train, train),
        test,
        repeats,
    )
    pca = PCA(8).fit(train)
    pca_error = float(np.mean((pca.inverse_transform(pca.transform(test)) - test) ** 2))
    return {"mlp": mlp, "pca_mse": pca_error}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.epochs, args.repeats)))
        return
    results = []
    for backend in args.backends:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--epochs",
            str(args.epochs),
            "--repeats",
            str(args.repeats),
        ]
        env = dict(os.environ, KERAS_BACKEND=backend)
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{backend}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    reference = run_mlp(args.epochs, args.repeats)
    mlp = reference["mlp"]

    print(f"\n64-32-8-32-64, {args.epochs} epochs, batch 200, Adam 1e-3 (digits)")
    print(
        "| implementation | first fit s | later fits s (median) | vs MLPRegressor "
        "| held-out MSE, mean (range) over seeds |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| MLPRegressor | {mlp['first_s']:.2f} | {mlp['median_s']:.2f} | 1.00x "
        f"| {_error(mlp)} |"
    )
    for result in results:
        same = result["same"]
        print(
            f"| skae, {result['backend']} | {same['first_s']:.2f} | "
            f"{same['median_s']:.2f} | {same['median_s'] / mlp['median_s']:.2f}x "
            f"| {_error(same)} |"
        )
    print(
        f"\nDenseAutoencoder(n_components=8, random_state=seed), PCA(8) held-out "
        f"MSE {reference['pca_mse']:.4f}"
    )
    print(
        "| backend | first fit s | later fits s (median) | epochs (mean) "
        "| held-out MSE, mean (range) over seeds |"
    )
    print("|---|---|---|---|---|")
    for result in results:
        default = result["default"]
        print(
            f"| {result['backend']} | {default['first_s']:.2f} | "
            f"{default['median_s']:.2f} | {default['epochs']:.0f} | "
            f"{_error(default)} |"
        )


def _error(fits: dict) -> str:
    low, high = fits["test_mse_range"]
    return f"{fits['test_mse']:.4f} ({low:.4f} to {high:.4f})"


if __name__ == "__main__":
    main()
