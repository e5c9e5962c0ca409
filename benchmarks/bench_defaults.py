"""Defaults against PCA: held-out reconstruction error of DenseAutoencoder and PCA.

For each data set (images: digits, MNIST, Fashion-MNIST; tables: ODDS and
ADBench sets, standardised on the training part) and each code size k in 2, 8,
32 below the number of features, both models are fitted on 75 % of the rows
(at most ``--max-train`` of them) and scored on the other 25 % (at most
``--max-test``): mean squared error per value, in the units the models were fed.

The sets are split once, before any result was seen, into a development half
(on which defaults are chosen) and a held-out half (on which the choice is only
reported): images digits and Fashion-MNIST against MNIST; the tables sorted by
name and dealt alternately. ``--candidates`` compares several settings (see
``CANDIDATES``); the summary gives, per half, how often each beats PCA and the
geometric mean of its error over PCA's.

    python benchmarks/bench_defaults.py                     # the defaults
    python benchmarks/bench_defaults.py --candidates linear one-layer
    KERAS_BACKEND=jax python benchmarks/bench_defaults.py   # another backend
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from _common import print_table
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import DenseAutoencoder
from skae.metrics import round_trip_error

DATA = Path(os.environ.get("SKAE_DATA") or Path(__file__).parents[2] / "shared/data")
TABLES = [
    "odds/arrhythmia.mat",
    "odds/cardio.mat",
    "odds/optdigits.mat",
    "odds/pendigits.mat",
    "odds/satellite.mat",
    "odds/shuttle.mat",
    "odds/vowels.mat",
    "odds/wbc.mat",
    "adbench/1_ALOI.npz",
    "adbench/22_magic.gamma.npz",
    "adbench/41_Waveform.npz",
    "adbench/46_WPBC.npz",
    "adbench/5_campaign.npz",
]
CODE_SIZES = (2, 8, 32)

# Settings compared by --candidates; "default" is DenseAutoencoder(k) as shipped.
CANDIDATES = {
    "default": {},
    "batch64-constant": {"batch_size": 64, "learning_rate_schedule": "constant"},
    "batch64-cosine": {"batch_size": 64, "learning_rate_schedule": "cosine"},
    "batch256-constant": {"batch_size": 256, "learning_rate_schedule": "constant"},
    "linear": {"hidden_layer_sizes": ()},
    "one-layer-128": {"hidden_layer_sizes": (128,)},
    "two-layers": {"hidden_layer_sizes": (256, 128)},
    "one-layer-128-tol0": {"hidden_layer_sizes": (128,), "tol": 0.0},
    "two-layers-tol0": {"hidden_layer_sizes": (256, 128), "tol": 0.0},
    "two-layers-tol0-p20": {
        "hidden_layer_sizes": (256, 128),
        "tol": 0.0,
        "n_iter_no_change": 20,
    },
}


def load_table(relative: str) -> np.ndarray:
    path = DATA / relative
    if path.suffix == ".npz":
        return np.load(path)["X"].astype(np.float64)
    from scipy.io import loadmat

    try:
        return loadmat(path)["X"].astype(np.float64)
    except NotImplementedError:  # MATLAB v7.3 files are HDF5
        import h5py

        with h5py.File(path) as f:
            return np.array(f["X"]).T.astype(np.float64)


def load_images(name: str) -> np.ndarray:
    from skae.datasets import load_fashion_mnist, load_mnist

    loader = load_mnist if name == "mnist" else load_fashion_mnist
    X, _ = loader("train", data_home=DATA, download=False)
    return X


def data_sets() -> list[tuple[str, str, np.ndarray, bool]]:
    """(name, half, X, standardise) for every set found."""
    sets = [("digits", "dev", load_digits().data / 16.0, False)]
    for name, half in (("fashion-mnist", "dev"), ("mnist", "held-out")):
        try:
            sets.append((name, half, load_images(name), False))
        except Exception as error:  # noqa: BLE001 - absent data: say so, go on
            print(f"skipping {name}: {error}")
    present = [t for t in TABLES if (DATA / t).is_file()]
    for i, relative in enumerate(sorted(present, key=lambda t: Path(t).stem)):
        half = "dev" if i % 2 == 0 else "held-out"
        sets.append((Path(relative).stem, half, load_table(relative), True))
    return sets


def split(X, standardise: bool, max_train: int, max_test: int, seed: int):
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=seed)
    X_train, X_test = X_train[:max_train], X_test[:max_test]
    if standardise:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train.astype(np.float32), X_test.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+", default=["default"])
    parser.add_argument("--max-train", type=int, default=20_000)
    parser.add_argument("--max-test", type=int, default=5_000)
    parser.add_argument("--only", nargs="*", help="data set names")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import keras

    print(f"Keras backend: {keras.backend.backend()}")
    rows, ratios = [], {c: {"dev": [], "held-out": []} for c in args.candidates}
    wins = {c: {"dev": [], "held-out": []} for c in args.candidates}
    for name, half, X, standardise in data_sets():
        if args.only and name not in args.only:
            continue
        X_train, X_test = split(
            X, standardise, args.max_train, args.max_test, args.seed
        )
        for k in [k for k in CODE_SIZES if k < X.shape[1]]:
            pca_error = round_trip_error(PCA(k).fit(X_train), X_test)
            row = {"set": name, "half": half, "n": len(X_train), "d": X.shape[1]}
            row.update({"k": k, "PCA": f"{pca_error:.5f}"})
            for candidate in args.candidates:
                model = DenseAutoencoder(
                    k, random_state=args.seed, **CANDIDATES[candidate]
                )
                start = time.perf_counter()
                model.fit(X_train)
                seconds = time.perf_counter() - start
                error = round_trip_error(model, X_test)
                row[candidate] = f"{error:.5f} ({seconds:.0f} s)"
                ratios[candidate][half].append(error / pca_error)
                wins[candidate][half].append(error < pca_error)
            rows.append(row)
            print(row, flush=True)
    print()
    print_table(rows, list(rows[0]))
    print()
    summary = []
    for candidate in args.candidates:
        for half in ("dev", "held-out"):
            if ratios[candidate][half]:
                summary.append(
                    {
                        "candidate": candidate,
                        "half": half,
                        "beats PCA": f"{sum(wins[candidate][half])}"
                        f"/{len(wins[candidate][half])}",
                        "error / PCA (geometric mean)": (
                            f"{np.exp(np.mean(np.log(ratios[candidate][half]))):.3f}"
                        ),
                        "worst": f"{max(ratios[candidate][half]):.3f}",
                    }
                )
    print_table(summary, list(summary[0]))


if __name__ == "__main__":
    main()
