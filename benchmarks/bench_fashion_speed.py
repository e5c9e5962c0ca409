"""Training speed and peak memory of skae next to a hand-written Keras model.

For the two seed architectures on the 60,000 Fashion-MNIST training images
(binary cross-entropy, batch 256), each implementation is fitted in a fresh
subprocess, which reports

- seconds per epoch: the median of the epoch wall times, the first epoch
  (compilation) excluded, recorded by a Keras callback;
- the fraction of the machine's limit: (FLOPs per epoch / float32 matmul rate)
  / seconds per epoch, where FLOPs per epoch count 2*in*out per Dense layer and
  sample forward, times 3 for forward and backward, times the rows trained on,
  and the rate is the median of a few 2048x2048 float32 NumPy matmuls;
- the peak memory of the fit: the process's peak resident set during the fit
  (VmHWM, reset just before it; ru_maxrss where the reset is not allowed) minus
  its resident set just before the fit (VmRSS), next to the size of the
  training data (60000*784*4 bytes = 188 MB).

Implementations (``--impl``):

- ``skae``: ``DenseAutoencoder(..., early_stopping=False)``, so all 60,000 rows
  train, as in the hand-written model;
- ``skae_es``: skae's default ``early_stopping=True`` (54,000 rows train, 6,000
  validate each epoch; the shuffled split is a copy of the data);
- ``keras``: the same layers written by hand with plain Keras defaults,
  ``model.compile(optimizer="adam", loss="binary_crossentropy")`` and
  ``model.fit(X, X, batch_size=256)``; the model is built and compiled inside
  the measured window, as skae does it inside ``fit``;
- ``keras_tuned``: the hand-written model compiled with skae's options
  (``steps_per_execution=16``, XLA on TensorFlow and JAX), fitted on ``(X, X)``.

The backend is Keras' ``KERAS_BACKEND`` environment variable. Example::

    KERAS_BACKEND=jax python benchmarks/bench_fashion_speed.py --epochs 5
    KERAS_BACKEND=torch python benchmarks/bench_fashion_speed.py --epochs 2 \\
        --models simple
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from _common import MODELS, N_FEATURES, layer_widths, load_images, print_table

IMPLS = ("skae", "skae_es", "keras", "keras_tuned")
BATCH_SIZE = 256
RESULT_PREFIX = "RESULT "
KB, MB = 1024, 1e6  # /proc reports kibibytes; tables show megabytes (10**6 bytes)


# ----------------------------------------------------------------- measuring


def matmul_rate(size: int = 2048, repeats: int = 7) -> float:
    """Return the median float32 FLOP/s of ``size`` x ``size`` NumPy matmuls."""
    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    a @ b  # warm-up: thread pool start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times)


def flops_per_epoch(model: str, n_samples: int) -> float:
    """Return forward+backward FLOPs of one epoch of ``model`` on ``n_samples``."""
    widths = layer_widths(model)
    forward = sum(2 * a * b for a, b in zip(widths[:-1], widths[1:], strict=True))
    return 3 * forward * n_samples


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM); return whether it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return _status_kb("VmHWM") <= _status_kb("VmRSS") + 1024


# -------------------------------------------------------------------- worker


def _hand_written_model(keras, model: str):
    spec = MODELS[model]
    inputs = keras.Input((N_FEATURES,))
    x = inputs
    for width in spec["hidden_layer_sizes"]:
        x = keras.layers.Dense(width, activation="relu")(x)
    x = keras.layers.Dense(spec["n_components"], activation="relu")(x)
    for width in reversed(spec["hidden_layer_sizes"]):
        x = keras.layers.Dense(width, activation="relu")(x)
    outputs = keras.layers.Dense(N_FEATURES, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def worker(impl: str, model: str, epochs: int, rows: int) -> dict:
    """Fit once on the first ``rows`` images in this process; return measurements."""
    import keras

    X = load_images("train")
    if rows < len(X):
        X = X[:rows].copy()

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._start)

    timer = EpochTimer()
    n_train = len(X)
    rss_before = _status_kb("VmRSS")
    reset = _reset_peak_rss()
    start = time.perf_counter()
    if impl.startswith("skae"):
        from skae import DenseAutoencoder

        est = DenseAutoencoder(
            **MODELS[model],
            code_activation="relu",
            loss="binary_crossentropy",
            batch_size=BATCH_SIZE,
            epochs=epochs,
            early_stopping=impl == "skae_es",
            n_iter_no_change=epochs + 1,
            random_state=0,
            callbacks=[timer],
        )
        est.fit(X)
        if impl == "skae_es":
            n_train = len(X) - round(est.validation_fraction * len(X))
        final_loss = est.loss_curve_[-1]
    else:
        keras.utils.set_random_seed(0)
        net = _hand_written_model(keras, model)
        if impl == "keras":
            net.compile(optimizer="adam", loss="binary_crossentropy")
        else:
            backend = keras.backend.backend()
            net.compile(
                optimizer="adam",
                loss="binary_crossentropy",
                jit_compile=backend != "torch",
                steps_per_execution=1 if backend == "torch" else 16,
            )
        history = net.fit(
            X, X, batch_size=BATCH_SIZE, epochs=epochs, verbose=0, callbacks=[timer]
        )
        final_loss = history.history["loss"][-1]
    fit_seconds = time.perf_counter() - start
    if reset:
        peak_kb = _status_kb("VmHWM")
    else:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "impl": impl,
        "model": model,
        "backend": keras.backend.backend(),
        "epoch_seconds": timer.times,
        "fit_seconds": fit_seconds,
        "n_train": n_train,
        "rss_before_mb": rss_before * KB / MB,
        "peak_increase_mb": (peak_kb - rss_before) * KB / MB,
        "peak_source": "VmHWM" if reset else "ru_maxrss",
        "data_mb": X.nbytes / MB,
        "final_loss": final_loss,
    }


# -------------------------------------------------------------------- driver


def run_worker(impl: str, model: str, epochs: int, rows: int = 60_000) -> dict:
    """Run :func:`worker` in a fresh Python process and return its result."""
    command = [sys.executable, os.path.abspath(__file__), "--worker"]
    command += ["--impl", impl, "--models", model, "--epochs", str(epochs)]
    command += ["--rows", str(rows)]
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
    raise RuntimeError(f"worker {impl}/{model} failed (exit code {proc.returncode})")


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=5,
        help="timed epochs per fit; one more warm-up epoch runs first (default 5)",
    )
    parser.add_argument(
        "--models", nargs="+", choices=sorted(MODELS), default=["simple", "deep"]
    )
    parser.add_argument(
        "--impl", nargs="+", choices=IMPLS, default=list(IMPLS), dest="impls"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="fits per implementation, interleaved; medians are reported",
    )
    parser.add_argument(
        "--copies",
        action="store_true",
        help="also fit each on half the rows (2 epochs) to estimate how many "
        "copies of the training data the fit holds: (peak - peak at half the "
        "rows) / (half the data size)",
    )
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--rows", type=int, default=60_000, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        result = worker(args.impls[0], args.models[0], args.epochs, args.rows)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return

    rate = matmul_rate()
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    print(
        f"backend {backend}, {os.cpu_count()} CPUs, NumPy float32 matmul "
        f"{rate / 1e9:.1f} GFLOP/s; {args.epochs} timed epochs after 1 warm-up, "
        f"{args.repeats} fit(s) each",
        flush=True,
    )
    results = []
    for model in args.models:
        for _ in range(args.repeats):
            for impl in args.impls:
                result = run_worker(impl, model, args.epochs + 1)
                timed = result["epoch_seconds"][1:]
                result["s_per_epoch"] = statistics.median(timed)
                results.append(result)
                print(
                    f"  {model:6s} {impl:11s} {result['s_per_epoch']:.2f} s/epoch "
                    f"(epochs {', '.join(f'{t:.2f}' for t in result['epoch_seconds'])})"
                    f", peak +{result['peak_increase_mb']:.0f} MB",
                    flush=True,
                )
        if args.copies:
            for impl in args.impls:
                half = run_worker(impl, model, 2, rows=30_000)
                half["half"] = True
                results.append(half)
                print(
                    f"  {model:6s} {impl:11s} 30000 rows: peak "
                    f"+{half['peak_increase_mb']:.0f} MB",
                    flush=True,
                )

    rows = []
    for model in args.models:
        keras_time = None
        for impl in args.impls:
            runs = [
                r
                for r in results
                if r["model"] == model and r["impl"] == impl and not r.get("half")
            ]
            seconds = statistics.median(r["s_per_epoch"] for r in runs)
            if impl == "keras":
                keras_time = seconds
            n_train = runs[0]["n_train"]
            epoch_flops = flops_per_epoch(model, n_train)
            rows.append(
                {
                    "model": model,
                    "impl": impl,
                    "rows": n_train,
                    "s/epoch": f"{seconds:.2f}",
                    "GFLOP/epoch": f"{epoch_flops / 1e9:.1f}",
                    "GFLOP/s": f"{epoch_flops / seconds / 1e9:.1f}",
                    "of limit": f"{epoch_flops / rate / seconds:.0%}",
                    "peak fit MB": f"{_median(runs, 'peak_increase_mb'):.0f}",
                    "data MB": f"{runs[0]['data_mb']:.0f}",
                    "RSS before MB": f"{_median(runs, 'rss_before_mb'):.0f}",
                }
            )
            halves = [
                r
                for r in results
                if r["model"] == model and r["impl"] == impl and r.get("half")
            ]
            if halves:
                peak = _median(runs, "peak_increase_mb")
                extra = peak - halves[0]["peak_increase_mb"]
                half_mb = runs[0]["data_mb"] - halves[0]["data_mb"]
                rows[-1]["data copies"] = f"{extra / half_mb:.1f}"
        if keras_time is not None:
            for row in rows:
                if row["model"] == model:
                    row["vs keras"] = f"{float(row['s/epoch']) / keras_time:.2f}x"
    print()
    print(
        f"backend {backend}: seconds per epoch (median, warm-up excluded), "
        f"machine limit {rate / 1e9:.1f} GFLOP/s (NumPy float32 matmul)"
    )
    columns = [
        "model",
        "impl",
        "rows",
        "s/epoch",
        "vs keras",
        "GFLOP/epoch",
        "GFLOP/s",
        "of limit",
        "peak fit MB",
        "data MB",
        "RSS before MB",
    ]
    if args.copies:
        columns.append("data copies")
    print_table(rows, columns)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"backend": backend, "matmul_flops": rate, "runs": results}, f)


if __name__ == "__main__":
    main()
