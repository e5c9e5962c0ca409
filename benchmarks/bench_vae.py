"""VariationalAutoencoder on MNIST: test log-likelihood and the Keras example's loss.

Two tasks (``--task``), each printing what it ran and a table:

- ``nll``: a dense VAE on binarised MNIST (every pixel drawn once as a Bernoulli
  of its intensity with a fixed seed, test set included), Bernoulli likelihood.
  The test negative log-likelihood estimated with the importance-weighted bound
  of ``--k`` samples (1000 by default), with the curve of the estimate against K
  on a subset, the epochs run and the CPU time. Published: 89.8 nats (a VAE in
  a well-known reproduction library), about 86.8 (one-layer VAE) and 84.8
  (IWAE) in Burda et al. (2016); the goal is 90 nats or less. With
  ``--select``, the settings are first chosen among a few candidates by the
  importance-weighted bound on 2,000 training images held out from the fit
  (the test set is used once, for the final figure).
- ``keras-example``: the convolutional VAE with a 2-D latent space against the
  official Keras example's figure, a total loss of 146.95 per image (summed
  binary cross-entropy plus KL) after 30 epochs on all 70,000 MNIST images;
  skae's last training epoch and its scored negative ELBO on the same data
  (all images trained on, as the example), and on the test set alone after
  training on the 60,000 training images (``--runs all split``).

Data: ``SKAE_DATA`` or ``<repo>/../shared/data``; nothing is downloaded.

    python benchmarks/bench_vae.py --task nll --epochs 200 --k 1000 [--select]
    python benchmarks/bench_vae.py --task nll --candidate NAME
    python benchmarks/bench_vae.py --task keras-example --epochs 30
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from _common import REPO, print_table

PUBLISHED_NLL = {"reproduction library VAE": 89.8, "VAE (Burda et al.)": 86.8}
KERAS_EXAMPLE_LOSS = 146.95


def load_mnist(subset: str) -> tuple[np.ndarray, np.ndarray]:
    from skae.datasets import load_mnist

    home = Path(os.environ.get("SKAE_DATA") or REPO.parent / "shared" / "data")
    X, y = load_mnist(subset, data_home=home, download=False)
    return np.ascontiguousarray(X, dtype=np.float32), y


def binarised(X: np.ndarray, seed: int) -> np.ndarray:
    """Pixels drawn once as Bernoulli(intensity)."""
    return (np.random.default_rng(seed).random(X.shape) < X).astype(np.float32)


# Candidate settings for --select: chosen by the importance-weighted bound on
# held-out training images, never by the test set. (Two candidates of the first
# selection, batch 256 and tanh, lost to these and are left out to save time.)
CANDIDATES = {
    "relu 500-500, z 50, batch 100": dict(
        hidden_layer_sizes=(500, 500), batch_size=100
    ),
    "relu 500-500, z 50, batch 100, lr 3e-4": dict(
        hidden_layer_sizes=(500, 500), batch_size=100, learning_rate=3e-4
    ),
    "relu 500-500, z 50, batch 100, lr 3e-4, batch normalization": dict(
        hidden_layer_sizes=(500, 500),
        batch_size=100,
        learning_rate=3e-4,
        batch_normalization=True,
    ),
    "relu 500-500, z 50, batch 100, cosine over 100 epochs": dict(
        hidden_layer_sizes=(500, 500),
        batch_size=100,
        learning_rate_schedule="cosine",
        epochs=100,
    ),
    **{
        f"relu 500-500, z 50, batch 100, lr 3e-4, cosine over {epochs} epochs": dict(
            hidden_layer_sizes=(500, 500),
            batch_size=100,
            learning_rate=3e-4,
            learning_rate_schedule="cosine",
            epochs=epochs,
        )
        for epochs in (70, 100, 150)
    },
}


def make_vae(args, **settings):
    from skae import VariationalAutoencoder

    parameters = {
        "hidden_layer_sizes": tuple(args.hidden),
        "loss": "binary_crossentropy",
        "epochs": args.epochs,
        "n_iter_no_change": args.patience,
        "random_state": args.seed,
        **settings,
    }
    return VariationalAutoencoder(args.n_components, **parameters)


def select_settings(args, X_train: np.ndarray) -> dict:
    """Fit every candidate on 50,000 images; keep the best bound on the rest."""
    fit_part, held_out = X_train[:50000], X_train[50000:52000]
    rows = []
    for name, settings in CANDIDATES.items():
        start = time.perf_counter()
        vae = make_vae(args, **settings).fit(fit_part)
        bound = -vae.score_samples(held_out, importance_samples=100).mean()
        rows.append(
            {
                "candidate": name,
                "held-out NLL, K=100": f"{bound:.2f}",
                "epochs": vae.n_iter_,
                "fit s": f"{time.perf_counter() - start:.0f}",
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print_table(rows, list(rows[0]))
    best = min(rows, key=lambda row: float(row["held-out NLL, K=100"]))
    print(f"selected: {best['candidate']}")
    return CANDIDATES[best["candidate"]]


def run_nll(args) -> None:
    X_train = binarised(load_mnist("train")[0], seed=0)[: args.n_train]
    X_test = binarised(load_mnist("test")[0], seed=1)
    print(
        f"nll: binarised MNIST, {len(X_train)} training images, at most "
        f"{args.epochs} epochs, latent {args.n_components}; test NLL with "
        f"K={args.k} on {len(X_test)} images"
    )
    if args.select:
        settings = select_settings(args, X_train)
    else:
        settings = CANDIDATES[args.candidate] if args.candidate else {}
    vae = make_vae(args, **settings)
    print(f"final fit: {vae}")
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    vae.fit(X_train)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    curve = []
    for k in (1, 10, 100, args.k):
        estimate = -vae.score_samples(X_test[:1000], importance_samples=k).mean()
        curve.append({"K": k, "NLL (1000 images)": f"{estimate:.2f}"})
    print_table(curve, ["K", "NLL (1000 images)"])
    nll = -vae.score_samples(X_test, importance_samples=args.k).mean()
    elbo = -vae.score(X_test)
    rows = [
        {
            "model": "skae VAE",
            "test NLL (nats)": f"{nll:.2f}",
            "negative ELBO": f"{elbo:.2f}",
            "epochs": vae.n_iter_,
            "fit wall s": f"{wall:.0f}",
            "fit CPU s": f"{cpu:.0f}",
        },
        *(
            {"model": f"published: {name}", "test NLL (nats)": f"{value:.1f}"}
            for name, value in PUBLISHED_NLL.items()
        ),
    ]
    print_table(rows, list(rows[0]))


def run_keras_example(args) -> None:
    import keras

    from skae import VariationalAutoencoder

    X_train, _ = load_mnist("train")
    X_test, _ = load_mnist("test")
    X_all = np.concatenate([X_train, X_test])
    runs = {
        # As the Keras example: every image trained on, no hold-out.
        "all": ("all 70,000", X_all, X_all, False),
        # Early stopping on 10 % of the training images; scored on the test set.
        "split": ("train/test", X_train, X_test, True),
    }
    print(
        f"keras-example: conv VAE, 2-D latent, at most {args.epochs} epochs, "
        f"batch 128, backend {keras.backend.backend()}, runs {args.runs}"
    )
    rows = []
    for run in args.runs:
        name, train, test, early_stopping = runs[run]
        vae = VariationalAutoencoder(
            2,
            architecture="conv",
            image_shape=(28, 28),
            loss="binary_crossentropy",
            epochs=args.epochs,
            batch_size=128,
            early_stopping=early_stopping,
            random_state=args.seed,
        )
        start = time.perf_counter()
        vae.fit(train)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "data": name,
                "last training epoch (nats)": f"{vae.loss_curve_[-1]:.2f}",
                "negative ELBO, scored (nats)": f"{-vae.score(test):.2f}",
                "Keras example": f"{KERAS_EXAMPLE_LOSS:.2f}",
                "epochs": vae.n_iter_,
                "fit s": f"{seconds:.0f}",
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print_table(rows, list(rows[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["nll", "keras-example"], required=True)
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--patience", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=50)
    parser.add_argument("--hidden", type=int, nargs="+", default=[500, 500])
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument(
        "--select",
        action="store_true",
        help="choose among CANDIDATES by the bound on held-out training images",
    )
    parser.add_argument(
        "--candidate",
        choices=list(CANDIDATES),
        help="fit this candidate without --select (a selection made earlier)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--runs", nargs="+", choices=["all", "split"], default=["all", "split"]
    )
    args = parser.parse_args()
    {"nll": run_nll, "keras-example": run_keras_example}[args.task](args)


if __name__ == "__main__":
    main()
