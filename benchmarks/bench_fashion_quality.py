"""Reconstruction quality of skae on Fashion-MNIST against the seed tutorials.

The seed tutorials train two autoencoders on the 60,000 Fashion-MNIST training
images with RMSprop, binary cross-entropy and batch 256, and report the test
binary cross-entropy:

- simple: Dense(32, relu) code, Dense(784, sigmoid) output, 100 epochs -> 0.282;
- deep: 128-64-32 relu encoder, 64-128 relu decoder, sigmoid output,
  150 epochs -> 0.277.

This benchmark fits the same architectures with
``skae.DenseAutoencoder(loss="binary_crossentropy")`` in at most ``--epochs``
(default 20) epochs and prints the test BCE (``-est.score(X_test)``) of each
next to its target, with the epochs used and the seconds the fit took.

The training settings default to the ones that reached the targets here (see
``RECOMMENDED`` and benchmarks/README.md); each can be overridden on the
command line. ``--sweep`` fits a grid of variants (optimizer, learning rate,
batch size, code activation, early stopping) instead, to see which reach the
targets. The backend is Keras' ``KERAS_BACKEND`` environment variable.
Example::

    KERAS_BACKEND=jax python benchmarks/bench_fashion_quality.py
    python benchmarks/bench_fashion_quality.py --models simple --optimizer rmsprop
    python benchmarks/bench_fashion_quality.py --sweep --models deep
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import MODELS, load_images, print_table

TARGETS = {"simple": 0.282, "deep": 0.277}

# The seed tutorials' own training settings (besides their 100 / 150 epochs).
SEED_SETTINGS = {
    "optimizer": "rmsprop",
    "learning_rate": 1e-3,
    "batch_size": 256,
    "code_activation": "relu",
    "early_stopping": False,
}

# Settings that reach the targets within 20 epochs on this machine.
RECOMMENDED = {
    "simple": {
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 64,
        "code_activation": "relu",
        "early_stopping": False,
    },
    "deep": {
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 64,
        "code_activation": "relu",
        "early_stopping": False,
    },
}

# Variants fitted by --sweep: changes to RECOMMENDED, one at a time.
SWEEP = [
    {},
    SEED_SETTINGS,
    {"batch_size": 256},
    {"batch_size": 128},
    {"batch_size": 32},
    {"learning_rate": 3e-3},
    {"learning_rate": 3e-4},
    {"optimizer": "rmsprop"},
    {"code_activation": "linear"},
    {"early_stopping": True},
]


def fit_and_score(model: str, settings: dict, epochs: int, seed: int, data) -> dict:
    """Fit one DenseAutoencoder and return its test BCE, epochs and seconds."""
    from skae import DenseAutoencoder

    X_train, X_test = data
    est = DenseAutoencoder(
        **MODELS[model],
        loss="binary_crossentropy",
        epochs=epochs,
        random_state=seed,
        **settings,
    )
    start = time.perf_counter()
    est.fit(X_train)
    seconds = time.perf_counter() - start
    return {
        "bce": -est.score(X_test),
        "epochs": est.n_iter_,
        "best_epoch": getattr(est, "best_epoch_", None),
        "seconds": seconds,
    }


def describe(settings: dict) -> str:
    """Return a short description of the training settings."""
    parts = [
        settings["optimizer"],
        f"lr={settings['learning_rate']:g}",
        f"batch={settings['batch_size']}",
        f"code={settings['code_activation']}",
        "early_stopping" if settings["early_stopping"] else "no early stopping",
    ]
    return " ".join(parts)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs", type=int, default=20, help="most epochs per fit (default 20)"
    )
    parser.add_argument(
        "--models", nargs="+", choices=sorted(MODELS), default=["simple", "deep"]
    )
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[0],
        help="random_state of each fit; with several, the median BCE is reported",
    )
    parser.add_argument("--optimizer", help="Keras optimizer name (adam, rmsprop)")
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--code-activation", choices=["relu", "linear"])
    parser.add_argument(
        "--early-stopping",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hold out 10%% and stop on the validation loss (skae's default)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="fit a grid of variants of the recommended settings instead",
    )
    args = parser.parse_args(argv)

    overrides = {
        key: value
        for key, value in (
            ("optimizer", args.optimizer),
            ("learning_rate", args.learning_rate),
            ("batch_size", args.batch_size),
            ("code_activation", args.code_activation),
            ("early_stopping", args.early_stopping),
        )
        if value is not None
    }
    data = (load_images("train"), load_images("test"))
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    print(
        f"backend {backend}, {os.cpu_count()} CPUs, train {data[0].shape}, "
        f"test {data[1].shape}, at most {args.epochs} epochs, seeds {args.seeds}",
        flush=True,
    )

    rows = []
    for model in args.models:
        variants = SWEEP if args.sweep else [{}]
        for variant in variants:
            settings = {**RECOMMENDED[model], **variant, **overrides}
            fits = []
            for seed in args.seeds:
                fits.append(fit_and_score(model, settings, args.epochs, seed, data))
                print(
                    f"  {model:6s} {describe(settings)} seed {seed}: "
                    f"BCE {fits[-1]['bce']:.4f} in {fits[-1]['epochs']} epochs, "
                    f"{fits[-1]['seconds']:.0f} s",
                    flush=True,
                )
            bce = statistics.median(f["bce"] for f in fits)
            target = TARGETS[model]
            rows.append(
                {
                    "model": model,
                    "settings": describe(settings),
                    "epochs": "/".join(str(f["epochs"]) for f in fits),
                    "test BCE": f"{bce:.4f}",
                    "target": f"{target:.3f}",
                    "gap": f"{bce - target:+.4f}",
                    "reached": "yes" if bce <= target else "no",
                    "seconds": f"{statistics.median(f['seconds'] for f in fits):.0f}",
                }
            )
    print()
    print(
        f"backend {backend}: test binary cross-entropy of skae.DenseAutoencoder "
        f"(median over seeds {args.seeds}), at most {args.epochs} epochs"
    )
    columns = ["model", "settings", "epochs", "test BCE", "target", "gap"]
    print_table(rows, [*columns, "reached", "seconds"])


if __name__ == "__main__":
    main()
