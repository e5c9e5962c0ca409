"""Time-series anomaly detection on real benchmarks: skae against its peers.

Collections (``../shared/data/timeseries`` or ``$SKAE_DATA/timeseries``; see
its README for provenance and protocols):

- ``ucr``: UCR anomaly archive, series 001-200. Fit on ``value[:train_end]``,
  score every point, predict the arg-max after ``train_end``; a hit when it
  lies within 100 points of the labelled anomaly. Top-1 accuracy.
- ``nab``: the 47 real NAB series. Fit on the probationary period (the first
  15 %), score every point; average precision against the anomaly windows
  after the probationary period, averaged over series.
- ``smap``: NASA SMAP, per channel. Fit on ``train``, score ``test``; average
  precision and best F1 (no point adjustment; its threshold uses the labels)
  per channel, averaged.

Methods (``--methods``), all with the same window (skae's ``"auto"`` rule on
the training part) and the same mapping of window scores to time points (the
mean over the windows covering a point):

- ``skae``: ``TimeSeriesOutlierDetector()``, skae's defaults (the
  autoencoder's reconstruction error and the nearest-training-window distance,
  the larger of their tail statistics);
- ``skae_recon``: the same without the nearest-window part
  (``discord=False``), the reconstruction error alone;
- ``skae_seq``: the same with ``ReconstructionOutlierDetector(SequenceAutoencoder())``;
- ``mp``: the matrix-profile discord (``stumpy``): each test window's
  z-normalised distance to its nearest training window;
- ``iforest``: ``IsolationForest()`` on windows;
- ``pca``: PCA reconstruction error on windows (a quarter of the window's
  values as components, at most 32).

Recordings of the UCR archive come in up to three versions, so ``--split``
splits them by recording (a fixed hash of the name without its
``DISTORTED`` / ``NOISE`` prefix): ``dev`` and ``held`` halves, or ``all``.
Results go to a JSON-lines file, one line per series and method, so runs can
be resumed and summarised (``--summary``). Examples::

    python benchmarks/bench_timeseries.py ucr --methods skae mp iforest
    python benchmarks/bench_timeseries.py ucr --split dev --ids 1-40
    python benchmarks/bench_timeseries.py nab
    python benchmarks/bench_timeseries.py smap --methods skae iforest pca
    python benchmarks/bench_timeseries.py ucr --summary
    python benchmarks/bench_timeseries.py speed    # s/epoch and 1M-point scoring
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import statistics
import sys
import time
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from skae import (  # noqa: E402
    ReconstructionOutlierDetector,
    SequenceAutoencoder,
    SlidingWindows,
    TimeSeriesOutlierDetector,
)

COLLECTIONS = ("ucr", "nab", "smap")
METHODS = ("skae", "skae_recon", "skae_seq", "mp", "iforest", "pca")
UCR_MARGIN = 100


def data_folder() -> Path:
    root = os.environ.get("SKAE_DATA")
    folder = Path(root) if root else REPO.parent / "shared" / "data"
    folder = folder / "timeseries"
    if not folder.is_dir():
        sys.exit(f"no time-series data at {folder} (set SKAE_DATA)")
    return folder


# ------------------------------------------------------------------ the data


def recording(name: str) -> str:
    """The UCR recording a series was made from: its name without the version."""
    return re.sub(r"^(DISTORTED|NOISE)", "", name)


def in_split(name: str, split: str) -> bool:
    if split == "all":
        return True
    half = zlib.crc32(recording(name).encode()) % 2
    return half == (0 if split == "dev" else 1)


def ucr_series(ids: set[int] | None, split: str):
    folder = data_folder() / "ucr_anomaly"
    with open(folder / "index.csv") as index:
        for row in csv.DictReader(index):
            if (ids and int(row["id"]) not in ids) or not in_split(row["name"], split):
                continue
            data = np.load(folder / "series" / row["file"])
            train_end = int(data["train_end"])
            yield {
                "series": f"{int(row['id']):03d}_{row['name']}",
                "train": data["value"][:train_end],
                "test": data["value"][train_end:],
                "label": data["label"][train_end:],
                "begin": int(data["anomaly_begin_1based"]) - 1 - train_end,
                "end": int(data["anomaly_end_1based"]) - train_end,
            }


def nab_series(ids, split):
    folder = data_folder() / "nab"
    with open(folder / "index.csv") as index:
        rows = [r for r in csv.DictReader(index) if r["is_real"] in ("True", "1")]
    for i, row in enumerate(rows, start=1):
        if ids and i not in ids:
            continue
        with gzip.open(folder / row["file"], "rt") as file:
            table = list(csv.DictReader(file))
        value = np.array([float(r["value"]) for r in table])
        label = np.array([int(r["label"]) for r in table], dtype=np.uint8)
        cut = int(row["probationary_len"])
        yield {
            "series": row["file"],
            "train": value[:cut],
            "test": value[cut:],
            "label": label[cut:],
        }


def smap_series(ids, split):
    folder = data_folder() / "smap"
    with open(folder / "index.csv") as index:
        rows = list(csv.DictReader(index))
    seen = set()
    for i, row in enumerate(rows, start=1):
        channel = row["chan_id"]
        if (ids and i not in ids) or channel in seen:
            continue
        seen.add(channel)
        data = np.load(folder / f"{channel}.npz")
        yield {
            "series": channel,
            "train": data["train"],
            "test": data["test"],
            "label": data["label"],
        }


LOADERS = {"ucr": ucr_series, "nab": nab_series, "smap": smap_series}


# --------------------------------------------------------------- the methods


def with_context(train: np.ndarray, test: np.ndarray, window: int):
    """The test part preceded by the training part's last ``window - 1`` points,
    so that the first test points are covered by whole windows."""
    context = min(window - 1, len(train))
    return np.concatenate([train[len(train) - context :], test]), context


def run_detector(detector, train, test, window):
    """Anomaly score (higher: more anomalous) of every test point."""
    detector.set_params(window=window).fit(train)
    series, context = with_context(train, test, window)
    return -detector.score_samples(series)[context:]


def run_matrix_profile(train, test, window):
    import stumpy

    series, context = with_context(train, test, window)
    values = np.asarray(series, dtype=np.float64).reshape(len(series), -1)
    reference = np.asarray(train, dtype=np.float64).reshape(len(train), -1)
    windows = SlidingWindows(window).fit(values)
    starts = windows.starts(len(values))
    if values.shape[1] == 1:
        profile = stumpy.stump(
            values[:, 0], window, T_B=reference[:, 0], ignore_trivial=False
        )[:, 0]
    else:  # the distances of the dimensions that vary in training, summed
        profile = np.zeros(len(values) - window + 1)
        for j in np.flatnonzero(np.ptp(reference, axis=0) > 0):
            profile = profile + stumpy.stump(
                values[:, j], window, T_B=reference[:, j], ignore_trivial=False
            )[:, 0].astype(np.float64)
    profile = np.asarray(profile, dtype=np.float64)
    finite = np.isfinite(profile)
    profile[~finite] = profile[finite].max() if finite.any() else 0.0
    return windows.to_time_points(profile[starts], len(values))[context:]


def make_detector(method: str, n_values: int):
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest

    if method == "skae":
        return TimeSeriesOutlierDetector(random_state=0)
    if method == "skae_recon":
        return TimeSeriesOutlierDetector(discord=False, random_state=0)
    if method == "skae_seq":
        return TimeSeriesOutlierDetector(
            ReconstructionOutlierDetector(SequenceAutoencoder(random_state=0)),
            max_fit_windows=5000,
            random_state=0,
        )
    # The peers score windows on their own, without skae's nearest-window part.
    if method == "iforest":
        return TimeSeriesOutlierDetector(IsolationForest(random_state=0), discord=False)
    if method == "pca":
        components = int(np.clip(n_values // 4, 1, 32))
        return TimeSeriesOutlierDetector(
            ReconstructionOutlierDetector(
                PCA(components), marginal_bins=None, error="reconstruction"
            ),
            discord=False,
        )
    raise ValueError(method)


def anomaly_scores(method: str, train, test, window: int) -> np.ndarray:
    if method == "mp":
        return run_matrix_profile(train, test, window)
    n_features = 1 if np.ndim(train) == 1 else train.shape[1]
    return run_detector(make_detector(method, window * n_features), train, test, window)


# ------------------------------------------------------------------- metrics


def evaluate(collection: str, item: dict, scores: np.ndarray) -> dict:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    finite = np.isfinite(scores)
    clean = np.where(finite, scores, -np.inf)
    result = {"non_finite": int((~finite).sum())}
    if collection == "ucr":
        guess = int(np.argmax(clean))
        result["hit"] = int(
            item["begin"] - UCR_MARGIN <= guess < item["end"] + UCR_MARGIN
        )
        result["guess"] = guess
        return result
    label = item["label"]
    if label.sum() == 0:
        result["ap"] = None
        return result
    clipped = np.nan_to_num(clean, neginf=np.min(clean[finite]) if finite.any() else 0)
    result["ap"] = float(average_precision_score(label, clipped))
    precision, recall, _ = precision_recall_curve(label, clipped)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    result["best_f1"] = float(f1.max())
    return result


# --------------------------------------------------------------------- runs


def parse_ids(text: str | None) -> set[int] | None:
    if not text:
        return None
    ids = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        ids.update(range(int(low), int(high or low) + 1))
    return ids


def done_keys(path: Path) -> set[tuple[str, str]]:
    if not path.exists():
        return set()
    with open(path) as file:
        return {(r["series"], r["method"]) for r in map(json.loads, file)}


def run(args) -> None:
    out = Path(args.out or f"bench_timeseries_{args.collection}.jsonl")
    done = done_keys(out)
    for item in LOADERS[args.collection](parse_ids(args.ids), args.split):
        window = SlidingWindows().fit(item["train"]).window_
        for method in args.methods:
            if (item["series"], method) in done:
                continue
            start = time.perf_counter()
            scores = anomaly_scores(method, item["train"], item["test"], window)
            seconds = time.perf_counter() - start
            record = {
                "series": item["series"],
                "method": method,
                "window": window,
                "n_times": len(item["train"]) + len(item["test"]),
                "seconds": round(seconds, 2),
                **evaluate(args.collection, item, scores),
            }
            with open(out, "a") as file:
                file.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)


def summary(args) -> None:
    out = Path(args.out or f"bench_timeseries_{args.collection}.jsonl")
    with open(out) as file:
        records = [json.loads(line) for line in file]
    names = {r["series"] for r in records}
    if args.split != "all" and args.collection == "ucr":
        names = {n for n in names if in_split(n.split("_", 1)[1], args.split)}
    methods = [m for m in METHODS if any(r["method"] == m for r in records)]
    # Only series every method finished, so that the columns compare.
    complete = [
        n
        for n in names
        if all((n, m) in {(r["series"], r["method"]) for r in records} for m in methods)
    ]
    metric = "hit" if args.collection == "ucr" else "ap"
    print(f"{args.collection}, split {args.split}: {len(complete)} series\n")
    print(
        "| method | "
        + ("top-1 accuracy" if metric == "hit" else "mean AP | mean best F1")
        + " | total s | median s | non-finite |"
    )
    print("|---|---|" + ("" if metric == "hit" else "---|") + "---|---|---|")
    for method in methods:
        rows = [r for r in records if r["method"] == method and r["series"] in complete]
        values = [r[metric] for r in rows if r.get(metric) is not None]
        seconds = [r["seconds"] for r in rows]
        cells = [f"{statistics.mean(values):.3f}"]
        if metric != "hit":
            best_f1 = [r["best_f1"] for r in rows if r.get("ap") is not None]
            cells.append(f"{statistics.mean(best_f1):.3f}")
        cells += [
            f"{sum(seconds):.0f}",
            f"{statistics.median(seconds):.1f}",
            str(sum(r["non_finite"] for r in rows)),
        ]
        print(f"| {method} | " + " | ".join(cells) + " |")


def speed(args) -> None:
    """Seconds per epoch of SequenceAutoencoder next to hand-written Keras, and
    the time to score a series of a million points with the default detector."""
    import keras

    rng = np.random.RandomState(0)
    steps, n = 64, 4096
    t = np.arange(n * 2 + steps)
    series = np.sin(2 * np.pi * t / 50) + 0.1 * rng.randn(len(t))
    X = SlidingWindows(steps).fit(series).transform(series)[:n].astype(np.float32)
    epochs = 5

    ae = SequenceAutoencoder(
        16, epochs=epochs, early_stopping=False, n_iter_no_change=epochs, random_state=0
    )
    ae.fit(X)  # warm-up: compile
    start = time.perf_counter()
    ae.set_params(warm_start=True).fit(X)
    skae_seconds = (time.perf_counter() - start) / epochs

    inputs = keras.Input((steps, 1))
    code = keras.layers.Dense(16)(keras.layers.LSTM(64)(inputs))
    x = keras.layers.LSTM(64, return_sequences=True)(
        keras.layers.RepeatVector(steps)(code)
    )
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    model.compile("adam", "mse")
    model.fit(X, X, batch_size=64, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(X, X, batch_size=64, epochs=epochs, verbose=0)
    keras_seconds = (time.perf_counter() - start) / epochs
    backend = keras.backend.backend()
    print(f"backend {backend}: LSTM 64, {n} windows of {steps} steps, batch 64")
    print(f"| SequenceAutoencoder s/epoch | {skae_seconds:.2f} |")
    print(f"| hand-written Keras s/epoch | {keras_seconds:.2f} |")

    long = np.sin(2 * np.pi * np.arange(1_000_000) / 100) + 0.1 * rng.randn(1_000_000)
    start = time.perf_counter()
    detector = TimeSeriesOutlierDetector(random_state=0).fit(long[:20000])
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    detector.score_samples(long)
    score_seconds = time.perf_counter() - start
    print(f"| default detector: fit on 20 000 points, s | {fit_seconds:.1f} |")
    print(f"| default detector: score 1 000 000 points, s | {score_seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collection", choices=COLLECTIONS + ("speed",))
    parser.add_argument(
        "--methods", nargs="+", choices=METHODS, default=["skae", "mp", "iforest"]
    )
    parser.add_argument(
        "--ids", help="e.g. 1-40,77 (1-based; NAB and SMAP in index order)"
    )
    parser.add_argument("--split", choices=("dev", "held", "all"), default="all")
    parser.add_argument("--out", help="JSON-lines results file")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if args.collection == "speed":
        speed(args)
    elif args.summary:
        summary(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
