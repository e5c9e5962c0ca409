"""Scaling out: searches on a Dask cluster, Dask scoring, several devices.

Four measurements, each comparing its methods in the same run:

- ``search``: seconds for a grid search of 16 fits of ``DenseAutoencoder`` on
  the digits, in one process (``n_jobs=1``) and on a local Dask cluster of 1
  and 2 single-threaded worker processes (joblib's dask backend).
- ``scoring``: rows per second of a fitted ``ReconstructionOutlierDetector``
  scoring a table of ``--rows`` rows (default 10 million): in one process, one
  block after another, and with ``skae.distributed.apply_by_partition`` on a
  local Dask cluster of 2 workers. The scores are checked equal.
- ``devices``: seconds per epoch of the same model under Keras' JAX
  ``DataParallel`` over 1 and 2 virtual CPU devices (one subprocess each,
  ``XLA_FLAGS=--xla_force_host_platform_device_count``); on a machine with
  accelerators the same code spreads the batch over them.
- ``memory``: a long-lived worker's resident memory over ``--fits`` fits in a
  row (default 100) of a small dense autoencoder on the digits, each model
  dropped after its fit, for skae and for the same network in plain Keras, on
  TensorFlow, JAX and PyTorch (one subprocess each). Reported: the memory
  after the 10th fit, after half the fits and after the last, and the growth
  per fit over the second half (caches fill during the first fits). Then two
  Dask workers (TensorFlow): the larger one's memory (after a garbage
  collection) after grid searches of 10 fits, of ``--fits`` and of half as
  many, and its growth per fit it ran over the last search, with Dask's
  statistical profiler on (its default) and off (``--task worker-memory`` runs
  this part alone). In the search task, a cluster of one single-threaded worker
  has one slot, and joblib then runs the search in the calling process: the
  script says where the fits ran.

Run from the repository root::

    python benchmarks/bench_scaling.py                 # all four
    python benchmarks/bench_scaling.py --task scoring --rows 2000000
    python benchmarks/bench_scaling.py --task memory --fits 200
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time

import numpy as np

DEVICE_SCRIPT = r"""
import json, sys, time
import keras, numpy as np
from skae import DenseAutoencoder
rows, epochs = int(sys.argv[1]), int(sys.argv[2])
X = np.random.default_rng(0).random((rows, 784), dtype=np.float32)
devices = keras.distribution.list_devices()
with keras.distribution.DataParallel(devices=devices).scope():
    model = DenseAutoencoder(32, hidden_layer_sizes=(256,), batch_size=256,
                             epochs=1, early_stopping=False, random_state=0)
    model.fit(X)  # compiles
    start = time.perf_counter()
    model.set_params(epochs=epochs, warm_start=True).fit(X)
    seconds = (time.perf_counter() - start) / epochs
print(json.dumps({"devices": len(devices), "seconds_per_epoch": seconds}))
"""

MEMORY_SCRIPT = r"""
import gc, json, sys
import keras, numpy as np
from sklearn.datasets import load_digits
from skae import DenseAutoencoder
implementation, fits = sys.argv[1], int(sys.argv[2])
X = (load_digits().data / 16.0).astype(np.float32)

def resident_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

def plain_keras(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((64,))
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    code = keras.layers.Dense(8)(hidden)
    hidden = keras.layers.Dense(32, activation="relu")(code)
    model = keras.Model(inputs, keras.layers.Dense(64)(hidden))
    model.compile("adam", "mse")
    model.fit(X, X, epochs=5, batch_size=200, verbose=0)
    model.predict(X, verbose=0)

def skae(seed):
    model = DenseAutoencoder(8, hidden_layer_sizes=(32,), epochs=5,
                             random_state=seed).fit(X)
    model.score(X)

fit = {"keras": plain_keras, "skae": skae}[implementation]
marks = {}
for i in range(fits):
    fit(i)
    gc.collect()
    if i + 1 in (10, fits // 2, fits):
        marks[i + 1] = resident_mb()
print(json.dumps({"after_10": marks[10], "after_half": marks[fits // 2],
                  "after_last": marks[fits]}))
"""


def local_cluster(n_workers: int):
    from dask.distributed import Client, LocalCluster

    # One thread per worker, for the backend too: workers share the cores.
    single_threaded = {
        "OMP_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env=single_threaded,
    )
    client = Client(cluster)
    client.run(importlib.import_module, "skae")  # start-up outside the timings
    return cluster, client


def bench_search(epochs: int) -> None:
    from dask.distributed import get_task_stream
    from joblib import parallel_config
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV, KFold

    from skae import DenseAutoencoder
    from skae.metrics import round_trip_scorer

    X = load_digits().data / 16.0
    grid = {"n_components": [2, 4, 8, 16], "hidden_layer_sizes": ["auto", (64,)]}

    def search(n_jobs):
        return GridSearchCV(
            DenseAutoencoder(epochs=epochs, random_state=0),
            grid,
            scoring=round_trip_scorer,
            cv=KFold(2),
            n_jobs=n_jobs,
        )

    print(f"search: 16 fits (8 settings x 2 folds), digits, at most {epochs} epochs")
    print(f"{'where':<28} {'seconds':>8}  best")
    start = time.perf_counter()
    local = search(1).fit(X)
    print(
        f"{'one process':<28} {time.perf_counter() - start:>8.1f}  {local.best_params_}"
    )
    for n_workers in (1, 2):
        cluster, client = local_cluster(n_workers)
        try:
            start = time.perf_counter()
            with get_task_stream(client) as tasks, parallel_config(backend="dask"):
                found = search(-1).fit(X)
            seconds = time.perf_counter() - start
        finally:
            client.close()
            cluster.close()
        same = found.best_params_ == local.best_params_
        # joblib runs the batches in the caller when the cluster has one slot.
        where = "on the cluster" if tasks.data else "in the calling process"
        label = f"Dask, {n_workers} worker{'s' if n_workers > 1 else ''}"
        print(f"{label:<28} {seconds:>8.1f}  same best: {same}; ran {where}")


def bench_scoring(rows: int, chunk_rows: int) -> None:
    import dask.array as da

    from skae import DenseAutoencoder, ReconstructionOutlierDetector
    from skae.distributed import apply_by_partition

    n_features = 16
    rng = np.random.default_rng(0)
    detector = ReconstructionOutlierDetector(
        DenseAutoencoder(4, epochs=20, random_state=0), marginal_bins=None
    ).fit(rng.normal(size=(20_000, n_features)).astype(np.float32))
    data = da.random.default_rng(1).standard_normal(
        (rows, n_features), chunks=(chunk_rows, n_features), dtype=np.float32
    )
    print(f"scoring: {rows:,} rows x {n_features} features, blocks of {chunk_rows:,}")
    print(f"{'where':<28} {'seconds':>8} {'rows/s':>12}")
    start = time.perf_counter()
    one_process = np.concatenate(
        [
            detector.score_samples(data.blocks[i].compute())
            for i in range(data.numblocks[0])
        ]
    )
    seconds = time.perf_counter() - start
    print(
        f"{'one process, block by block':<28} {seconds:>8.1f} {rows / seconds:>12,.0f}"
    )
    cluster, client = local_cluster(2)
    try:
        lazy = apply_by_partition(detector, data, "score_samples")
        start = time.perf_counter()
        scores = client.compute(lazy).result()
        seconds = time.perf_counter() - start
    finally:
        client.close()
        cluster.close()
    print(f"{'Dask, 2 workers':<28} {seconds:>8.1f} {rows / seconds:>12,.0f}")
    print(f"same scores: {bool(np.allclose(scores, one_process, rtol=1e-5))}")


def bench_devices(rows: int, epochs: int) -> None:
    print(f"devices: JAX DataParallel, {rows:,} rows x 784, batch 256, {epochs} epochs")
    print(f"{'devices':>7} {'s/epoch':>8}")
    for count in (1, 2):
        env = {
            **os.environ,
            "KERAS_BACKEND": "jax",
            "XLA_FLAGS": f"--xla_force_host_platform_device_count={count}",
        }
        result = subprocess.run(
            [sys.executable, "-c", DEVICE_SCRIPT, str(rows), str(epochs)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        line = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"{line['devices']:>7} {line['seconds_per_epoch']:>8.2f}")


def bench_memory(fits: int) -> None:
    print(f"memory: {fits} fits in one process, digits, 64-32-8-32-64, 5 epochs")
    print(
        f"{'backend':<11} {'what':<12} {'MB after 10':>11} {'after half':>11} "
        f"{'after last':>11} {'MB per fit':>11}"
    )
    for backend in ("tensorflow", "jax", "torch"):
        for implementation in ("keras", "skae"):
            result = subprocess.run(
                [sys.executable, "-c", MEMORY_SCRIPT, implementation, str(fits)],
                capture_output=True,
                text=True,
                env={**os.environ, "KERAS_BACKEND": backend},
                check=True,
            )
            line = json.loads(result.stdout.strip().splitlines()[-1])
            growth = (line["after_last"] - line["after_half"]) / (fits - fits // 2)
            label = "plain Keras" if implementation == "keras" else "skae"
            print(
                f"{backend:<11} {label:<12} "
                f"{line['after_10']:>11.0f} {line['after_half']:>11.0f} "
                f"{line['after_last']:>11.0f} {growth:>11.2f}"
            )


def _collected_resident_mb() -> float:
    """Resident MB of this process after a full garbage collection: models of
    finished fits sit in reference cycles until the collector runs, so without
    it the reading swings by tens of MB with the collector's schedule."""
    import gc

    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def bench_worker_memory(fits: int) -> None:
    import dask
    import distributed  # noqa: F401 (its configuration, before it is changed)
    from joblib import parallel_config
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV, KFold

    from skae import DenseAutoencoder

    X = load_digits().data / 16.0

    def search(n_fits, first_seed):
        grid = {"random_state": list(range(first_seed, first_seed + n_fits // 2))}
        model = DenseAutoencoder(8, hidden_layer_sizes=(32,), epochs=5)
        with parallel_config(backend="dask"):
            GridSearchCV(model, grid, cv=KFold(2), n_jobs=-1).fit(X)

    for profiler in (True, False):
        # Two workers: with a single slot joblib would run the search here.
        with dask.config.set({"distributed.worker.profile.enabled": profiler}):
            cluster, client = local_cluster(2)
        try:
            marks, seed = [], 0
            for n_fits in (10, fits, fits // 2):
                search(n_fits, seed)
                seed += n_fits
                marks.append(max(client.run(_collected_resident_mb).values()))
        finally:
            client.close()
            cluster.close()
        # The last search's fits are shared by the two workers.
        growth = (marks[2] - marks[1]) / (fits // 2 / 2)
        label = "Dask workers"
        print(
            f"{'tensorflow':<11} {label:<12} {marks[0]:>11.0f} {marks[1]:>11.0f} "
            f"{marks[2]:>11.0f} {growth:>11.2f}  (skae; per fit a worker ran; "
            f"searches of 10, {fits} and {fits // 2} fits; Dask's profiler "
            f"{'on' if profiler else 'off'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--task",
        choices=["search", "scoring", "devices", "memory", "worker-memory", "all"],
        default="all",
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--fits", type=int, default=100)
    args = parser.parse_args()
    if args.task in ("search", "all"):
        bench_search(args.epochs)
    if args.task in ("scoring", "all"):
        bench_scoring(args.rows, args.chunk_rows)
    if args.task in ("devices", "all"):
        bench_devices(60_000, 3)
    if args.task in ("memory", "all"):
        if args.fits <= 10:
            parser.error("--fits must be above 10")
        bench_memory(args.fits)
    if args.task in ("memory", "worker-memory", "all"):
        if args.fits <= 10:
            parser.error("--fits must be above 10")
        bench_worker_memory(args.fits)


if __name__ == "__main__":
    main()
