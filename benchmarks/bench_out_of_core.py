"""Peak memory of an out-of-core fit on a memmap, next to fits in memory.

Writes a float32 file of ``--rows`` x ``--features`` (16 M x 64: 4.1 GB) in a
temporary folder (deleted afterwards): eight latent factors through a tanh
layer, mixed linearly, plus noise. Then, each in a fresh process so that its
peak resident set is its own (``resource.getrusage(RUSAGE_SELF).ru_maxrss``):

- ``streamed``: ``DenseAutoencoder(8, epochs=1).fit(np.memmap(...))`` on the
  whole file and on its first rows (the smallest slice), read batch by batch;
- ``in memory``: the same fit on slices read into memory first (0.25 GB and
  1 GB by default), the ordinary path.

Everything else is the estimator's default (batch 64, early stopping on 10 %
of the rows, the ``"auto"`` network started at PCA). The table gives rows, data
GB, path, the resident set before ``fit`` (after imports and, in memory, the
data), the peak resident set and the seconds of ``fit``.

    python benchmarks/bench_out_of_core.py [--rows 16000000] [--features 64]
        [--slices-gb 0.25 1] [--batch-size 64] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from _common import print_table

GB = 1e9


def write_data(path: str, rows: int, features: int, seed: int = 0) -> None:
    """Write ``rows`` x ``features`` float32: eight factors through a tanh layer
    of 32 units, mixed linearly, plus noise (so that a network beats PCA).

    Written with ordinary file writes of small blocks: a child process's
    ``ru_maxrss`` starts at its parent's peak (Linux keeps the high-water mark
    across fork and exec), so the parent must never hold much.
    """
    rng = np.random.default_rng(seed)
    inner = rng.normal(size=(8, 32)).astype(np.float32)
    outer = (rng.normal(size=(32, features)) / np.sqrt(32)).astype(np.float32)
    step = 100_000
    with open(path, "wb") as out:
        for start in range(0, rows, step):
            n = min(step, rows - start)
            factors = rng.standard_normal((n, 8), dtype=np.float32)
            noise = rng.standard_normal((n, features), dtype=np.float32)
            block = np.tanh(factors @ inner) @ outer + 0.1 * noise
            out.write(block.astype(np.float32).tobytes())


def rss_gb() -> float:
    """The current resident set (Linux), in GB; NaN elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / GB
    except OSError:
        return float("nan")


def peak_rss_gb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return peak / (GB if sys.platform == "darwin" else GB / 1024)


def child(args) -> None:
    """Fit once in this process and print the measurements as JSON."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from skae import DenseAutoencoder
    from skae._utils import _sources

    # Stream the memmap whatever its size (by default from 256 MiB on).
    _sources.MEMMAP_STREAM_MIN_BYTES = 0
    shape = (args.rows, args.features)
    if args.path_kind == "streamed":
        X = np.memmap(args.file, dtype=np.float32, mode="r", shape=shape)
    else:
        # Read with ordinary file reads, so that no mapped page is counted.
        X = np.fromfile(args.file, dtype=np.float32, count=args.rows * args.features)
        X = X.reshape(shape)
    estimator = DenseAutoencoder(
        8, epochs=1, batch_size=args.batch_size, random_state=0
    )
    before = rss_gb()
    start = time.perf_counter()
    estimator.fit(X)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "rss_before": before,
                "peak_rss": peak_rss_gb(),
                "seconds": seconds,
                "loss": estimator.best_loss_,
            }
        )
    )


def measure(args, path_kind: str, rows: int, file: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--path-kind",
        path_kind,
        "--file",
        file,
        "--rows",
        str(rows),
        "--features",
        str(args.features),
        "--batch-size",
        str(args.batch_size),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{path_kind} fit of {rows} rows failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    row = {
        "rows": f"{rows:,}",
        "data GB": f"{rows * args.features * 4 / GB:.2f}",
        "path": path_kind,
        "RSS before fit GB": f"{result['rss_before']:.2f}",
        "peak RSS GB": f"{result['peak_rss']:.2f}",
        "seconds": f"{result['seconds']:.0f}",
        "best loss": f"{result['loss']:.4f}",
    }
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16_000_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--slices-gb", type=float, nargs="+", default=[0.25, 1.0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--folder", default=None, help="where to write the file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path-kind", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    slice_rows = [int(gb * GB / (4 * args.features)) for gb in args.slices_gb]
    print(
        f"{args.rows:,} x {args.features} float32 "
        f"({args.rows * args.features * 4 / GB:.2f} GB); in-memory slices of "
        f"{', '.join(f'{r:,}' for r in slice_rows)} rows; batch {args.batch_size}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        file = os.path.join(folder, "X.f32")
        start = time.perf_counter()
        write_data(file, args.rows, args.features)
        print(f"wrote {file} in {time.perf_counter() - start:.0f} s", flush=True)
        rows = [measure(args, "streamed", args.rows, file)]
        rows.append(measure(args, "streamed", min(slice_rows), file))
        rows += [measure(args, "in memory", n, file) for n in slice_rows]
    columns = [
        "rows",
        "data GB",
        "path",
        "RSS before fit GB",
        "peak RSS GB",
        "seconds",
        "best loss",
    ]
    print_table(rows, columns)


if __name__ == "__main__":
    main()
