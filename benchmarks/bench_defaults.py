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
    python benchmarks/bench_defaults.py --backends tensorflow jax torch
    python benchmarks/bench_defaults.py --train-sizes 100 300 --max-test 2000

``--train-sizes`` is the small-data protocol: each table and the digits
(not the two 784-pixel collections) trained on that many random rows, three
seeds (``--seeds``) per size, code sizes 2 and 8, scored on at most
``--max-test`` other rows; same halves.

Progress (one JSON line per case) goes to standard error; the tables to
standard output. "worse than PCA" counts ratios above 1.0001 (float32 rounding
of an exact tie is about 1e-5).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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
# Code sizes of the small-data cases (--train-sizes).
SMALL_CODE_SIZES = (2, 8)

# Settings compared by --candidates; "default" is DenseAutoencoder(k) as shipped.
CANDIDATES = {
    "default": {},
    "batch64-constant": {"batch_size": 64, "learning_rate_schedule": "constant"},
    "batch64-cosine": {"batch_size": 64, "learning_rate_schedule": "cosine"},
    "batch256-constant": {"batch_size": 256, "learning_rate_schedule": "constant"},
    "adam-2e-3": {"learning_rate": 2e-3},
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


def small_splits(X, standardise: bool, sizes: list[int], seeds: int, max_test: int):
    """(seed, X_train, X_test) for every training size ``n`` below 80 % of
    the rows and every seed: ``n`` rows drawn at random, and at most
    ``max_test`` of the others."""
    for n in sizes:
        if n >= 0.8 * len(X):
            continue
        for seed in range(seeds):
            order = np.random.default_rng([seed, n]).permutation(len(X))
            X_train, X_test = X[order[:n]], X[order[n : n + max_test]]
            if standardise:
                scaler = StandardScaler().fit(X_train)
                X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
            yield seed, X_train.astype(np.float32), X_test.astype(np.float32)


def run_cases(args) -> list[dict]:
    """Fit PCA and every candidate on every case; one dict per (set, k), or
    per (set, training size, seed, k) with ``--train-sizes``."""
    cases = []
    for name, half, X, standardise in data_sets():
        if args.only and name not in args.only:
            continue
        if args.train_sizes:
            if X.shape[1] > 100:  # the 784-pixel collections: another regime
                continue
            splits = small_splits(
                X, standardise, args.train_sizes, args.seeds, args.max_test
            )
            code_sizes = SMALL_CODE_SIZES
        else:
            splits = [
                (
                    args.seed,
                    *split(X, standardise, args.max_train, args.max_test, args.seed),
                )
            ]
            code_sizes = CODE_SIZES
        for seed, X_train, X_test in splits:
            cases += _fit_cases(
                name, half, X.shape[1], code_sizes, seed, X_train, X_test, args
            )
    return cases


def _fit_cases(name, half, d, code_sizes, seed, X_train, X_test, args) -> list[dict]:
    """PCA and every candidate (seeded ``seed``) on one split, per code size."""
    cases = []
    for k in [k for k in code_sizes if k < d]:
        pca_error = round_trip_error(PCA(k).fit(X_train), X_test)
        case = {"set": name, "half": half, "n": len(X_train), "d": d}
        case.update({"k": k, "PCA": pca_error, "fits": {}})
        if args.train_sizes:
            case["seed"] = seed
        for candidate in args.candidates:
            model = DenseAutoencoder(k, random_state=seed, **CANDIDATES[candidate])
            start = time.perf_counter()
            model.fit(X_train)
            seconds = time.perf_counter() - start
            error = round_trip_error(model, X_test)
            case["fits"][candidate] = (error, seconds)
        cases.append(case)
        print(json.dumps(case), file=sys.stderr, flush=True)
    return cases


def run_backends(args) -> dict[str, list[dict]]:
    """Run the cases in one child process per backend, in turn."""
    results = {}
    for backend in args.backends:
        command = [sys.executable, __file__, "--child", *child_arguments(args)]
        env = dict(os.environ, KERAS_BACKEND=backend)
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            print(f"{backend}: failed (exit {done.returncode})", file=sys.stderr)
            continue
        results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def child_arguments(args) -> list[str]:
    arguments = ["--candidates", *args.candidates]
    arguments += ["--max-train", str(args.max_train), "--max-test", str(args.max_test)]
    arguments += ["--seed", str(args.seed)]
    if args.train_sizes:
        arguments += ["--train-sizes", *map(str, args.train_sizes)]
        arguments += ["--seeds", str(args.seeds)]
    if args.only:
        arguments += ["--only", *args.only]
    return arguments


def report(results: dict[str, list[dict]]) -> None:
    """Print the cases side by side (a column per backend and candidate) and
    a summary per column and half."""
    columns = [
        (backend, candidate)
        for backend, cases in results.items()
        for candidate in cases[0]["fits"]
    ]
    label = {c: f"{c[0]}: {c[1]}" for c in columns}
    rows = []
    ratios = {c: {"dev": [], "held-out": []} for c in columns}
    for i, case in enumerate(next(iter(results.values()))):
        keys = ("set", "half", "n", "d", "k", "seed")
        row = {key: case[key] for key in keys if key in case}
        row["PCA"] = f"{case['PCA']:.5f}"
        for backend, candidate in columns:
            error, seconds = results[backend][i]["fits"][candidate]
            row[label[backend, candidate]] = f"{error:.5f} ({seconds:.0f} s)"
            ratios[backend, candidate][case["half"]].append(error / case["PCA"])
        rows.append(row)
    print()
    print_table(rows, list(rows[0]))
    print()
    summary = []
    for column in columns:
        for half in ("dev", "held-out"):
            half_ratios = np.array(ratios[column][half])
            if half_ratios.size:
                summary.append(
                    {
                        "backend: candidate": label[column],
                        "half": half,
                        "beats PCA": f"{np.sum(half_ratios < 1)}/{half_ratios.size}",
                        "worse than PCA": f"{np.sum(half_ratios > 1.0001)}",
                        "error / PCA (geometric mean)": (
                            f"{np.exp(np.mean(np.log(half_ratios))):.3f}"
                        ),
                        "worst": f"{half_ratios.max():.3f}",
                    }
                )
    print_table(summary, list(summary[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+", default=["default"])
    parser.add_argument("--max-train", type=int, default=20_000)
    parser.add_argument("--max-test", type=int, default=5_000)
    parser.add_argument("--only", nargs="*", help="data set names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--train-sizes",
        nargs="+",
        type=int,
        help="small data: train on this many random rows of each table and of "
        "the digits (each size, --seeds seeds, k in 2 and 8) instead of 75 %%",
    )
    parser.add_argument("--seeds", type=int, default=3, help="with --train-sizes")
    parser.add_argument(
        "--backends",
        nargs="+",
        help="run every case on each of these Keras backends, one child process "
        "each, and report them side by side (default: this process's backend)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    import keras

    if args.child:
        print(json.dumps(run_cases(args)))
        return
    if args.backends:
        results = run_backends(args)
    else:
        results = {keras.backend.backend(): run_cases(args)}
    if args.train_sizes:
        print(f"{args.train_sizes} training rows, {args.seeds} seeds each")
    else:
        print(f"max {args.max_train} training rows, {args.max_test} test rows")
    report(results)


if __name__ == "__main__":
    main()
