"""ConvAutoencoder on images: quality, speed, and one-class anomaly detection.

Three tasks (``--task``), each printing what it ran and a table:

- ``quality``: the tutorial's convolutional autoencoder (filters 32-16-16, binary
  cross-entropy) on Fashion-MNIST, and its denoising variant (filters 32-32-32,
  noisy inputs with Gaussian noise of 0.5 clipped to [0, 1], clean targets).
  Test binary cross-entropy on the 10,000 test images (for the denoising model:
  noisy test inputs against the clean images), next to the tutorial's figures
  (0.265 and 0.287 after about 150 epochs). ``--n-train`` and ``--epochs`` set
  the subset and the budget; the full run is ``--n-train 60000 --epochs 30``.
- ``speed``: seconds per epoch of skae's ``ConvAutoencoder`` next to the same
  layers written by hand in Keras with its defaults, in the same process and
  backend (``KERAS_BACKEND``), and the fraction of the machine's limit: the
  epoch's convolution and matmul FLOPs (forward and backward: 3x the forward
  multiply-adds x 2) over the float32 matmul rate NumPy reaches here.
- ``oneclass``: the one-class protocol of Ruff et al. (Deep SVDD, ICML 2018): for
  each class of MNIST and Fashion-MNIST, fit on that class's training images
  only, score all test images, ROC-AUC with that class as normal; mean over the
  classes. skae's detector around a ``ConvAutoencoder`` next to IsolationForest on
  the pixels, in the same run, and the published figures.

Data: ``SKAE_DATA`` or ``<repo>/../shared/data``; nothing is downloaded.

    python benchmarks/bench_conv.py --task quality --n-train 60000 --epochs 30
    KERAS_BACKEND=jax python benchmarks/bench_conv.py --task speed
    python benchmarks/bench_conv.py --task oneclass --epochs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
from _common import REPO, add_holdout_argument, print_table

NOISE_LEVEL = 0.5
TUTORIAL_BCE = {"conv": 0.265, "denoising": 0.287}
# Mean ROC-AUC over the ten classes of MNIST in Ruff et al. (2018), Table 1:
# the deep convolutional autoencoder (DCAE) and one-class Deep SVDD (the mean
# of its per-class figures; the paper has no Fashion-MNIST figures).
PUBLISHED_ONE_CLASS = {"mnist": {"DCAE": 0.8975, "Deep SVDD": 0.9480}}


def data_home() -> Path:
    return Path(os.environ.get("SKAE_DATA") or REPO.parent / "shared" / "data")


def load(name: str, subset: str):
    from skae.datasets import load_fashion_mnist, load_mnist

    loader = load_fashion_mnist if name == "fashion-mnist" else load_mnist
    X, y = loader(subset, data_home=data_home(), flatten=False, download=False)
    return np.ascontiguousarray(X, dtype=np.float32), y


def noisy(images: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, NOISE_LEVEL, images.shape)
    return np.clip(images + noise, 0.0, 1.0).astype(np.float32)


# ------------------------------------------------------------------- quality


def run_quality(args) -> None:
    from skae import ConvAutoencoder

    X_train, _ = load("fashion-mnist", "train")
    X_test, _ = load("fashion-mnist", "test")
    tested_on = "test"
    if args.holdout:
        # Settings are chosen here, on the last training images, never on the
        # test set.
        X_train, X_test = X_train[: -args.holdout], X_train[-args.holdout :]
        tested_on = "held-out training"
    X_train = X_train[: args.n_train]
    print(
        f"quality: {len(X_train)} training images, at most {args.epochs} epochs, "
        f"batch {args.batch_size}, {args.schedule} learning rate "
        f"{args.learning_rate:g}, early stopping "
        f"{args.early_stopping}, seed {args.seed}; scored on {len(X_test)} "
        f"{tested_on} images"
    )
    common = dict(
        loss="binary_crossentropy",
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        learning_rate_schedule=args.schedule,
        early_stopping=args.early_stopping,
        random_state=args.seed,
    )
    rows = []
    for name, model, inputs, test_inputs in (
        ("conv", ConvAutoencoder(**common), X_train, X_test),
        (
            "denoising",
            ConvAutoencoder(filters=(32, 32, 32), **common),
            noisy(X_train, 1),
            noisy(X_test, 2),
        ),
    ):
        if name not in args.models:
            continue
        start = time.perf_counter()
        model.fit(inputs, X_train)
        seconds = time.perf_counter() - start
        bce = -model.score(test_inputs, X_test)
        rows.append(
            {
                "model": name,
                "test BCE": f"{bce:.4f}",
                "tutorial": f"{TUTORIAL_BCE[name]:.3f} (~150 epochs)",
                "reached": "yes" if bce <= TUTORIAL_BCE[name] else "no",
                "epochs": model.n_iter_,
                "best epoch": model.best_epoch_,
                "fit s": f"{seconds:.0f}",
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print()
    print_table(rows, list(rows[0]))


# --------------------------------------------------------------------- speed


def matmul_rate() -> float:
    """Float32 FLOP/s of a 2048 x 2048 NumPy matmul (median of five)."""
    a = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * 2048**3 / statistics.median(times)


def forward_flops(model) -> float:
    """Multiply-add FLOPs (x2) of one sample's forward pass through Conv2D/Dense."""
    import keras

    total = 0.0
    for layer in _leaf_layers(model):
        if isinstance(layer, keras.layers.Conv2D):
            kernel = layer.kernel.shape
            height, width = layer.output.shape[1:3]
            total += 2 * np.prod(kernel) * height * width
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * np.prod(layer.kernel.shape)
    return total


def _leaf_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _leaf_layers(layer)
        else:
            yield layer


class EpochTimer:
    """A Keras callback that records each epoch's wall time."""

    def __new__(cls):
        import keras

        class _Timer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.times = []

            def on_epoch_begin(self, epoch, logs=None):
                self._start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self._start)

        return _Timer()


def handwritten_keras(filters=(32, 16, 16)):
    """The tutorial's convolutional autoencoder in plain Keras (its defaults)."""
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1))
    x = inputs
    for width in filters:
        x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)
    for width in reversed(filters):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    outputs = layers.Cropping2D(2)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def run_speed(args) -> None:
    import keras

    from skae import ConvAutoencoder

    X, _ = load("fashion-mnist", "train")
    X = X[: args.n_train]
    rate = matmul_rate()
    print(
        f"speed: backend {keras.backend.backend()}, {len(X)} images, "
        f"{args.epochs} epochs, batch {args.batch_size}; NumPy float32 matmul "
        f"{rate / 1e9:.0f} GFLOP/s"
    )
    rows = []
    for impl in args.impls:
        timer = EpochTimer()
        if impl == "skae":
            model = ConvAutoencoder(
                loss="binary_crossentropy",
                epochs=args.epochs,
                batch_size=args.batch_size,
                early_stopping=False,
                n_iter_no_change=args.epochs,
                callbacks=[timer],
                random_state=0,
            ).fit(X)
            network = model.model_
        else:
            network = handwritten_keras()
            images = X[..., None]
            network.fit(
                images,
                images,
                epochs=args.epochs,
                batch_size=args.batch_size,
                verbose=0,
                callbacks=[timer],
            )
        later = timer.times[1:] or timer.times
        per_epoch = statistics.median(later)
        flops = 3 * forward_flops(network) * len(X)
        rows.append(
            {
                "implementation": impl,
                "s/epoch (median)": f"{per_epoch:.2f}",
                "fastest s": f"{min(later):.2f}",
                "first epoch s": f"{timer.times[0]:.2f}",
                "GFLOP/epoch": f"{flops / 1e9:.1f}",
                "of matmul limit": f"{flops / per_epoch / rate:.0%}",
            }
        )
    print_table(rows, list(rows[0]))


# ------------------------------------------------------------------ one-class


def run_oneclass(args) -> None:
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import roc_auc_score

    from skae import ConvAutoencoder, ReconstructionOutlierDetector

    print(
        f"one-class: fit on one class's training images, score the test set; "
        f"skae detector (ConvAutoencoder, at most {args.epochs} epochs) and "
        f"IsolationForest on pixels, seed {args.seed}"
    )
    for name in args.datasets:
        X_train, y_train = load(name, "train")
        X_test, y_test = load(name, "test")
        rows = []
        for digit in args.classes:
            normal = X_train[y_train == digit]
            is_normal = (y_test == digit).astype(int)
            start = time.perf_counter()
            detector = ReconstructionOutlierDetector(
                ConvAutoencoder(epochs=args.epochs, random_state=args.seed),
                random_state=args.seed,
            ).fit(normal)
            skae_auc = roc_auc_score(is_normal, detector.score_samples(X_test))
            seconds = time.perf_counter() - start
            forest = IsolationForest(random_state=args.seed).fit(
                normal.reshape(len(normal), -1)
            )
            forest_auc = roc_auc_score(
                is_normal, forest.score_samples(X_test.reshape(len(X_test), -1))
            )
            rows.append(
                {
                    "class": digit,
                    "skae": f"{skae_auc:.4f}",
                    "IsolationForest": f"{forest_auc:.4f}",
                    "skae fit+score s": f"{seconds:.0f}",
                }
            )
            print_table(rows[-1:], list(rows[-1]))
        total_seconds = sum(float(r["skae fit+score s"]) for r in rows)
        means = {
            "class": "mean",
            "skae": f"{np.mean([float(r['skae']) for r in rows]):.4f}",
            "IsolationForest": (
                f"{np.mean([float(r['IsolationForest']) for r in rows]):.4f}"
            ),
            "skae fit+score s": f"{total_seconds:.0f}",
        }
        print(f"\n{name}")
        print_table([*rows, means], list(means))
        for method, value in PUBLISHED_ONE_CLASS.get(name, {}).items():
            print(f"published {method} (Ruff et al. 2018): {value:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["quality", "speed", "oneclass"])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument(
        "--schedule", choices=["constant", "cosine"], default="constant"
    )
    parser.add_argument(
        "--early-stopping", action=argparse.BooleanOptionalAction, default=True
    )
    add_holdout_argument(parser)
    parser.add_argument("--models", nargs="+", default=["conv", "denoising"])
    parser.add_argument("--impls", nargs="+", default=["skae", "keras"])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion-mnist"])
    parser.add_argument("--classes", type=int, nargs="+", default=list(range(10)))
    args = parser.parse_args()
    {"quality": run_quality, "speed": run_speed, "oneclass": run_oneclass}[args.task](
        args
    )


if __name__ == "__main__":
    main()
