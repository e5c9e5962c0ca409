"""Reconstruction quality of skae on Fashion-MNIST against the tutorials.

The tutorials train two autoencoders on the 60,000 Fashion-MNIST training
images with RMSprop, binary cross-entropy and batch 256, and report the test
binary cross-entropy:

- simple: Dense(32, relu) code, Dense(784, sigmoid) output, 100 epochs -> 0.282
  ("train/test loss"; the deep model's section calls it "~0.285");
- deep: 128-64-32 relu encoder, 64-128 relu decoder, sigmoid output,
  150 epochs -> 0.277.

This benchmark fits the same architectures with
``skae.DenseAutoencoder(loss="binary_crossentropy")`` in at most ``--epochs``
(default 20) epochs and prints the test BCE (``-est.score(X_test)``) of each
next to its target, with the final training BCE, the epochs used and the
seconds the fit took. With ``early_stopping=False`` a fit still ends when the
training loss stops improving (skae's ``n_iter_no_change`` and ``tol``), so a
large ``--epochs`` trains to convergence; ``--train-to-end`` runs every epoch.

The training settings default to the best found here (see ``RECOMMENDED`` and
benchmarks/README.md); each can be overridden on the command line.
``--skae-defaults`` instead leaves every training setting at skae's default, as
a new user would.
``--schedule cosine`` decays the learning rate along a half cosine over the
epochs (skae's ``learning_rate_schedule="cosine"``). ``--sweep`` fits a grid of
variants (optimizer, learning rate, batch size, code activation, early
stopping, schedule) instead. The backend is Keras' ``KERAS_BACKEND``
environment variable. Example::

    KERAS_BACKEND=jax python benchmarks/bench_fashion_quality.py
    python benchmarks/bench_fashion_quality.py --models simple --optimizer rmsprop
    python benchmarks/bench_fashion_quality.py --sweep --models deep
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import MODELS, add_holdout_argument, load_images, print_table

TARGETS = {"simple": 0.282, "deep": 0.277}

# The tutorials' own training settings (besides their 100 / 150 epochs).
SEED_SETTINGS = {
    "optimizer": "rmsprop",
    "learning_rate": 1e-3,
    "batch_size": 256,
    "code_activation": "relu",
    "early_stopping": False,
    "schedule": "constant",
}

# The best settings found within 20 epochs on this machine.
RECOMMENDED = {
    "simple": {
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 32,
        "code_activation": "relu",
        "early_stopping": False,
        "schedule": "cosine",
    },
    "deep": {
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 64,
        "code_activation": "relu",
        "early_stopping": False,
        "schedule": "constant",
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
    {"schedule": "constant"},
    {"schedule": "cosine"},
]


def fit_and_score(
    model: str, settings: dict, epochs: int, seed: int, data, to_end: bool = False
) -> dict:
    """Fit one DenseAutoencoder; return test and final training BCE, epochs, seconds.

    With ``to_end`` the fit runs all ``epochs`` (no stop on a training-loss
    plateau).
    """
    from skae import DenseAutoencoder

    X_train, X_test = data
    # {"defaults": overrides}: skae's defaults but for the overrides given.
    settings = dict(settings.get("defaults", settings))
    if "schedule" in settings:
        settings["learning_rate_schedule"] = settings.pop("schedule")
    est = DenseAutoencoder(
        **MODELS[model],
        loss="binary_crossentropy",
        epochs=epochs,
        random_state=seed,
        **({"n_iter_no_change": 10**9, "tol": 0.0} if to_end else {}),
        **settings,
    )
    start = time.perf_counter()
    est.fit(X_train)
    seconds = time.perf_counter() - start
    return {
        "bce": -est.score(X_test),
        "train_bce": est.loss_curve_[-1],
        "epochs": est.n_iter_,
        "best_epoch": getattr(est, "best_epoch_", None),
        "seconds": seconds,
    }


def describe(settings: dict) -> str:
    """Return a short description of the training settings."""
    if "defaults" in settings:
        changed = settings["defaults"]
        return "skae defaults" + "".join(f" {k}={v}" for k, v in changed.items())
    parts = [
        settings["optimizer"],
        f"lr={settings['learning_rate']:g}",
        f"batch={settings['batch_size']}",
        f"code={settings['code_activation']}",
        f"{settings['schedule']} rate",
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
        "--schedule",
        choices=["constant", "cosine"],
        help="learning rate: constant, or a cosine decay over the epochs",
    )
    parser.add_argument(
        "--train-to-end",
        action="store_true",
        help="run every epoch, without stopping when the training loss plateaus",
    )
    parser.add_argument(
        "--skae-defaults",
        action="store_true",
        help="fit with skae's defaults (architecture, loss and epochs only)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="fit a grid of variants of the recommended settings instead",
    )
    add_holdout_argument(parser)
    args = parser.parse_args(argv)

    overrides = {
        key: value
        for key, value in (
            ("optimizer", args.optimizer),
            ("learning_rate", args.learning_rate),
            ("batch_size", args.batch_size),
            ("code_activation", args.code_activation),
            ("early_stopping", args.early_stopping),
            ("schedule", args.schedule),
        )
        if value is not None
    }
    data = (load_images("train"), load_images("test"))
    if args.holdout:  # the test images stay unseen
        data = (data[0][: -args.holdout], data[0][-args.holdout :])
    scored_on = "held-out training images" if args.holdout else "test images"
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    print(
        f"backend {backend}, {os.cpu_count()} CPUs, train {data[0].shape}, "
        f"scored on {scored_on}, at most {args.epochs} epochs, seeds "
        f"{args.seeds}",
        flush=True,
    )

    rows = []
    for model in args.models:
        variants = SWEEP if args.sweep else [{}]
        for variant in variants:
            settings = {**RECOMMENDED[model], **variant, **overrides}
            if args.skae_defaults:
                settings = {"defaults": overrides}
            fits = []
            for seed in args.seeds:
                fit = fit_and_score(
                    model, settings, args.epochs, seed, data, args.train_to_end
                )
                fits.append(fit)
                print(
                    f"  {model:6s} {describe(settings)} seed {seed}: "
                    f"BCE {fit['bce']:.4f} (train {fit['train_bce']:.4f}) in "
                    f"{fit['epochs']} epochs, {fit['seconds']:.0f} s",
                    flush=True,
                )
            bce = statistics.median(f["bce"] for f in fits)
            train_bce = statistics.median(f["train_bce"] for f in fits)
            target = TARGETS[model]
            rows.append(
                {
                    "model": model,
                    "settings": describe(settings),
                    "epochs": "/".join(str(f["epochs"]) for f in fits),
                    "test BCE": f"{bce:.4f}",
                    "train BCE": f"{train_bce:.4f}",
                    "target": f"{target:.3f}",
                    "gap": f"{bce - target:+.4f}",
                    "reached": "yes" if bce <= target else "no",
                    "seconds": f"{statistics.median(f['seconds'] for f in fits):.0f}",
                }
            )
    print()
    print(
        f"backend {backend}: binary cross-entropy on {scored_on} of "
        "skae.DenseAutoencoder "
        f"(median over seeds {args.seeds}), at most {args.epochs} epochs"
    )
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
