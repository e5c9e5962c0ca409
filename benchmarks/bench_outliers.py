"""Outlier detection on 23 tables (ODDS + ADBench): skae against its peers.

The protocol is PyOD's / ADBench's: for each set and seed, a stratified 60/40
split; every detector is fitted on the 60 % without labels (the outliers stay
in, as they would in practice) and scores the 40 %; ROC-AUC and average
precision are computed on those scores with the labels. Per set, a detector's
figure is the mean over the seeds; its rank on a set is by that mean ROC-AUC
(1 = best, ties share the mean rank); the summary gives the means over sets.

Detectors (``--detectors``):

- ``skae``: ``ReconstructionOutlierDetector()`` with skae's defaults, untuned
  per set (``--skae-params`` JSON overrides parameters, ``--label`` names such
  a variant in the tables and the cache);
- ``iforest``: scikit-learn's ``IsolationForest``, defaults;
- ``pyod_ae``, ``pyod_vae``, ``pyod_ecod``, ``pyod_copod``, ``pyod_hbos``,
  ``pyod_knn``, ``pyod_lof``, ``pyod_pca``: PyOD's detectors, defaults.

A detector whose test scores hold NaN or inf is counted as such (column
``non-finite``); its ROC-AUC is computed with NaN ranked as the least anomalous
and +/-inf clipped, so one bad score does not crash the run.

The sets are split once, by name, into a **selection** half and a **check**
half (``--half``), see ``SELECTION`` below: defaults are chosen on the first
and reported on the second untouched (``docs/outliers.md``).

Results are appended to a JSON-lines cache (``--cache``, one line per set,
detector and seed); a later run reads what is there and computes only what is
missing, so the slow peers run once. ``--no-cache`` recomputes;
``--cached-only`` computes nothing and reports what the cache holds, saying
where a detector has fewer seeds than asked.

Data: ``$SKAE_DATA/{odds,adbench}`` or ``<repo>/../shared/data/{odds,adbench}``.
Install the peers with ``pip install -e ".[benchmark]"``. Examples::

    python benchmarks/bench_outliers.py                       # 23 sets, 3 seeds
    python benchmarks/bench_outliers.py --half selection --detectors skae iforest
    python benchmarks/bench_outliers.py --skae-params '{"mad_k": 2}' --label k2
    python benchmarks/bench_outliers.py --profile-fit donors   # seconds, memory

``--profile-fit SET`` fits the default detector once on the training part (60 %)
of one set, in this process, and prints the fit seconds and the peak resident
memory above what the process held with the data loaded (sampled every
5 ms from ``/proc``, Linux only), next to the size of
the training data. ``--profile-fit wide`` does the same on a synthetic table
of the shape of ADBench's census set, which is not among the 23 (60 % of
299 285 rows, 500 columns: 20 Gaussian, 480 binary with 10 % ones).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from _common import REPO, print_table

ODDS = (
    "arrhythmia",
    "cardio",
    "mnist",
    "optdigits",
    "pendigits",
    "satellite",
    "shuttle",
    "thyroid",
    "vowels",
    "wbc",
)
ADBENCH = {
    "aloi": "1_ALOI",
    "campaign": "5_campaign",
    "celeba": "8_celeba",
    "cover": "10_cover",
    "donors": "11_donors",
    "http": "16_http",
    "landsat": "19_landsat",
    "magic.gamma": "22_magic.gamma",
    "skin": "33_skin",
    "smtp": "34_smtp",
    "waveform": "41_Waveform",
    "wilt": "44_Wilt",
    "wpbc": "46_WPBC",
}
SETS = (*ODDS, *ADBENCH)
# Fixed before any result on the new sets was seen: every other set in order
# of size (wpbc 198 rows, wbc 378, arrhythmia 452, vowels, cardio, waveform,
# thyroid, wilt, optdigits, satellite, landsat, pendigits, mnist, magic.gamma,
# campaign, shuttle, aloi, smtp, celeba, skin, cover, http, donors 619 326),
# starting with the smallest, so both halves hold small and large sets.
# Defaults are chosen on SELECTION and reported on CHECK.
SELECTION = (
    "wpbc",
    "arrhythmia",
    "cardio",
    "thyroid",
    "optdigits",
    "landsat",
    "mnist",
    "campaign",
    "aloi",
    "celeba",
    "cover",
    "donors",
)
CHECK = tuple(s for s in SETS if s not in SELECTION)
PEERS = (
    "iforest",
    "pyod_ae",
    "pyod_vae",
    "pyod_ecod",
    "pyod_copod",
    "pyod_hbos",
    "pyod_knn",
    "pyod_lof",
    "pyod_pca",
)
DETECTORS = ("skae", *PEERS)


def data_root() -> Path:
    """Return the folder that holds ``odds/`` and ``adbench/``, or exit."""
    root = Path(os.environ.get("SKAE_DATA") or REPO.parent / "shared" / "data")
    if not (root / "odds").is_dir() or not (root / "adbench").is_dir():
        sys.exit(f"odds/ and adbench/ not found in {root}; set SKAE_DATA.")
    return root


def load_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` (float64) and ``y`` (1 = outlier) of one set."""
    root = data_root()
    if name in ADBENCH:
        data = np.load(root / "adbench" / f"{ADBENCH[name]}.npz")
        X, y = data["X"], data["y"]
    elif (root / "odds" / f"{name}.npz").is_file():
        data = np.load(root / "odds" / f"{name}.npz")
        X, y = data["X"], data["y"]
    else:
        from scipy.io import loadmat

        data = loadmat(root / "odds" / f"{name}.mat")
        X, y = data["X"], data["y"]
    return np.asarray(X, dtype=np.float64), np.asarray(y).ravel().astype(int)


def make_detector(name: str, seed: int, skae_params: dict):
    """Return an unfitted detector and a function giving its outlier scores."""
    if name == "skae":
        from skae import ReconstructionOutlierDetector

        det = ReconstructionOutlierDetector(random_state=seed, **skae_params)
        return det, det.anomaly_score
    if name == "iforest":
        from sklearn.ensemble import IsolationForest

        det = IsolationForest(random_state=seed)
        return det, lambda X: -det.score_samples(X)
    from pyod.models import auto_encoder, copod, ecod, hbos, knn, lof, pca, vae

    makers = {
        "pyod_ae": lambda: auto_encoder.AutoEncoder(random_state=seed, verbose=0),
        "pyod_vae": lambda: vae.VAE(random_state=seed, verbose=0),
        "pyod_ecod": ecod.ECOD,
        "pyod_copod": copod.COPOD,
        "pyod_hbos": hbos.HBOS,
        "pyod_knn": knn.KNN,
        "pyod_lof": lof.LOF,
        "pyod_pca": lambda: pca.PCA(random_state=seed),
    }
    det = makers[name]()
    return det, det.decision_function


def evaluate(name: str, X, y, seed: int, skae_params: dict) -> dict:
    """Fit one detector on a stratified 60 % split and score the other 40 %."""
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import train_test_split

    X_train, X_test, _, y_test = train_test_split(
        X, y, test_size=0.4, stratify=y, random_state=seed
    )
    det, outlier_scores = make_detector(name, seed, skae_params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        det.fit(X_train)
        seconds = time.perf_counter() - start
        scores = np.asarray(outlier_scores(X_test), dtype=np.float64)
    finite = np.isfinite(scores)
    n_bad = int((~finite).sum())
    if n_bad:
        low = np.min(scores[finite], initial=0.0)
        scores = np.nan_to_num(scores, nan=low - 1, posinf=np.finfo(float).max)
        scores = np.clip(scores, np.finfo(float).min, np.finfo(float).max)
    return {
        "roc_auc": float(roc_auc_score(y_test, scores)),
        "ap": float(average_precision_score(y_test, scores)),
        "seconds": seconds,
        "non_finite": n_bad,
    }


def read_cache(path: Path | None) -> dict:
    """Return the cached runs, keyed by (set, label, seed)."""
    runs = {}
    if path is not None and path.is_file():
        for line in path.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                runs[r["set"], r["label"], r["seed"]] = r
    return runs


def mean_ranks(table: dict, sets, labels) -> dict:
    """Mean over sets of each label's rank by ROC-AUC (1 = best, ties averaged)."""
    from scipy.stats import rankdata

    ranks = {label: [] for label in labels}
    for s in sets:
        aucs = [-table[s, label]["roc_auc"] for label in labels]
        for label, rank in zip(labels, rankdata(aucs), strict=True):
            ranks[label].append(rank)
    return {label: statistics.mean(r) for label, r in ranks.items()}


def summarise(table: dict, sets, labels, title: str) -> None:
    """Print the mean ROC-AUC, AP and rank over ``sets`` of every label."""
    ranks = mean_ranks(table, sets, labels)
    rows = []
    for label in labels:
        cells = [table[s, label] for s in sets]
        rows.append(
            {
                "detector": label,
                "ROC-AUC": statistics.mean(c["roc_auc"] for c in cells),
                "AP": statistics.mean(c["ap"] for c in cells),
                "rank": ranks[label],
                "fit s": sum(c["seconds"] for c in cells),
                "max fit s": max(c["max_seconds"] for c in cells),
                "non-finite": sum(c["non_finite"] for c in cells),
            }
        )
    rows.sort(key=lambda r: r["rank"])
    for r in rows:
        r["ROC-AUC"], r["AP"] = f"{r['ROC-AUC']:.4f}", f"{r['AP']:.4f}"
        r["rank"] = f"{r['rank']:.2f}"
        r["fit s"], r["max fit s"] = f"{r['fit s']:.1f}", f"{r['max fit s']:.1f}"
        r["non-finite"] = str(r["non-finite"])
    print(f"\n{title}")
    print_table(
        rows, ["detector", "ROC-AUC", "AP", "rank", "fit s", "max fit s", "non-finite"]
    )


def resident_bytes() -> int:
    """This process's resident memory now, from ``/proc`` (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def wide_table(n_rows: int, n_columns: int) -> np.ndarray:
    """A wide synthetic table: 20 Gaussian columns, the rest binary (10 % ones)."""
    rng = np.random.default_rng(0)
    X = (rng.random((n_rows, n_columns)) < 0.1).astype(np.float64)
    X[:, :20] = rng.normal(size=(n_rows, 20))
    return X


def profile_fit(set_name: str) -> None:
    """Print the seconds and the peak memory of one default fit on ``set_name``."""
    import threading

    from sklearn.model_selection import train_test_split

    from skae import ReconstructionOutlierDetector

    if set_name == "wide":
        X_train = wide_table(int(0.6 * 299_285), 500)
    else:
        X, y = load_set(set_name)
        X_train = train_test_split(X, test_size=0.4, stratify=y, random_state=0)[0]
        X_train = np.ascontiguousarray(X_train)
        del X, y
    ReconstructionOutlierDetector(max_samples=100, random_state=0).fit(X_train[:200])
    before = peak = resident_bytes()
    done = threading.Event()

    def watch():
        nonlocal peak
        while not done.wait(0.005):
            peak = max(peak, resident_bytes())

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    detector = ReconstructionOutlierDetector(random_state=0).fit(X_train)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    print(
        f"{set_name}: {X_train.shape[0]} x {X_train.shape[1]} training rows "
        f"({X_train.nbytes / 2**20:.0f} MiB float64); fit {seconds:.1f} s; peak "
        f"memory above the loaded data {max(peak - before, 0) / 2**20:.0f} MiB; "
        f"threshold {detector.threshold_:.3f}"
    )


def print_matrix(table: dict, sets, labels, metric: str, title: str) -> None:
    """Print one metric as a table of sets by detectors, the best in bold."""
    print(f"\n{title}")
    print("| set | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for s in sets:
        values = [table[s, label][metric] for label in labels]
        best = max(values)
        cells = [f"**{v:.3f}**" if v == best else f"{v:.3f}" for v in values]
        print(f"| {s} | " + " | ".join(cells) + " |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", choices=SETS)
    parser.add_argument("--half", choices=("selection", "check", "all"), default="all")
    parser.add_argument(
        "--detectors", nargs="+", choices=DETECTORS, default=list(DETECTORS)
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--skae-params",
        type=json.loads,
        default={},
        help="JSON of ReconstructionOutlierDetector parameters for 'skae'",
    )
    parser.add_argument("--label", default="skae", help="name of the skae variant")
    parser.add_argument(
        "--cache",
        type=Path,
        default=REPO / "benchmarks" / "results" / "outliers.jsonl",
        help="JSON-lines file of results to reuse and extend",
    )
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="compute nothing: report the cached seeds of each detector and set",
    )
    parser.add_argument("--profile-fit", choices=[*SETS, "wide"], metavar="SET")
    parser.add_argument(
        "--compare", nargs="*", default=[], help="more cached skae labels to list"
    )
    args = parser.parse_args(argv)
    if args.profile_fit:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        profile_fit(args.profile_fit)
        return
    sets = args.sets or {"selection": SELECTION, "check": CHECK, "all": SETS}[args.half]
    sets = [s for s in SETS if s in sets]

    import skae  # noqa: F401 (first: it imports Keras without the backend's logs)

    # isort: split
    import keras

    cache = None if args.no_cache else args.cache
    cached = read_cache(cache)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
    labels = [args.label if d == "skae" else d for d in args.detectors]
    labels += [c for c in args.compare if c not in labels]
    print(
        f"{len(sets)} sets, seeds {args.seeds}, stratified 60/40 split; Keras "
        f"backend {keras.backend.backend()}; {args.label}: {args.skae_params}",
        flush=True,
    )
    table = {}
    partial = []
    for set_name in sets:
        X, y = load_set(set_name)
        print(f"\n{set_name}: {X.shape[0]} x {X.shape[1]}, {y.mean():.1%} outliers")
        rows = []
        kinds = [*args.detectors, *["skae"] * len(args.compare)]
        for det, label in zip(kinds, labels, strict=False):
            runs = []
            for seed in args.seeds:
                key = (set_name, label, seed)
                if key not in cached and args.cached_only:
                    continue
                if key not in cached:
                    if det == "skae" and label != args.label:
                        sys.exit(f"{label} has no cached run for {key}")
                    params = args.skae_params if det == "skae" else {}
                    run = evaluate(det, X, y, seed, params)
                    run.update(set=set_name, label=label, seed=seed)
                    cached[key] = run
                    if cache is not None:
                        with cache.open("a") as f:
                            f.write(json.dumps(run) + "\n")
                runs.append(cached[key])
            if not runs:
                sys.exit(f"no cached run of {label} on {set_name}")
            if len(runs) < len(args.seeds):
                partial.append(f"{label} on {set_name}: {len(runs)} seed(s)")
            cell = {
                "roc_auc": statistics.mean(r["roc_auc"] for r in runs),
                "ap": statistics.mean(r["ap"] for r in runs),
                "seconds": statistics.median(r["seconds"] for r in runs),
                "max_seconds": max(r["seconds"] for r in runs),
                "non_finite": sum(r["non_finite"] for r in runs),
            }
            table[set_name, label] = cell
            rows.append(
                {
                    "detector": label,
                    "ROC-AUC": f"{cell['roc_auc']:.4f}",
                    "AP": f"{cell['ap']:.4f}",
                    "fit s": f"{cell['seconds']:.2f}",
                    "non-finite": str(cell["non_finite"]),
                }
            )
        print_table(rows, ["detector", "ROC-AUC", "AP", "fit s", "non-finite"])
        sys.stdout.flush()
    if partial:
        print("\nfewer seeds (--cached-only): " + "; ".join(partial))
    if len(labels) > 1:
        print_matrix(table, sets, labels, "roc_auc", "ROC-AUC, mean over seeds")
        print_matrix(table, sets, labels, "ap", "average precision, mean over seeds")
    summarise(table, sets, labels, f"mean over {len(sets)} sets")
    for name, half in (("selection", SELECTION), ("check", CHECK)):
        part = [s for s in sets if s in half]
        if part and len(part) < len(sets):
            summarise(table, part, labels, f"mean over the {name} half ({len(part)})")


if __name__ == "__main__":
    main()
