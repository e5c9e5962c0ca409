"""Outlier detection on the ODDS sets: skae against the detectors users pick instead.

The protocol is PyOD's / ADBench's: for each set and seed, a stratified 60/40
split; every detector is fitted on the 60 % without labels (the outliers stay in,
as they would in practice) and scores the 40 %; ROC-AUC and average precision
are computed on those scores with the labels. Results are the mean over the
seeds, with the median fit seconds.

Detectors (``--detectors``):

- ``skae``: ``ReconstructionOutlierDetector()``, skae's defaults, untuned per set;
- ``skae_pca``: the same detector with ``sklearn.decomposition.PCA`` inside,
  keeping a quarter of the dimensions (see ``pca_components``);
- ``pyod_ae``, ``pyod_vae``: PyOD's ``AutoEncoder`` and ``VAE`` (PyTorch), defaults;
- ``iforest``: scikit-learn's ``IsolationForest``, defaults;
- ``pyod_pca``, ``pyod_knn``: PyOD's ``PCA`` and ``KNN``, defaults.

A detector whose test scores hold NaN or inf is counted as such (column
``non-finite``); its ROC-AUC is computed with NaN ranked as the least anomalous
and +/-inf clipped, so one bad score does not crash the run.

The data are read from ``$SKAE_DATA/odds`` or ``<repo>/../shared/data/odds``.
Install the peers with ``pip install -e ".[benchmark]"``. Example::

    python benchmarks/bench_odds.py                      # all sets, 3 seeds
    python benchmarks/bench_odds.py --sets cardio wbc --detectors skae iforest
    python benchmarks/bench_odds.py --skae-params '{"mad_k": 2}'
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

SETS = (
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
DETECTORS = (
    "skae",
    "skae_pca",
    "pyod_ae",
    "pyod_vae",
    "iforest",
    "pyod_pca",
    "pyod_knn",
)


def odds_folder() -> Path:
    """Return the folder that holds the ODDS files, or exit with a clear message."""
    root = Path(os.environ.get("SKAE_DATA") or REPO.parent / "shared" / "data")
    folder = root / "odds"
    if not folder.is_dir():
        sys.exit(f"ODDS data not found in {folder}; set SKAE_DATA to its parent.")
    return folder


def load_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` (float64) and ``y`` (1 = outlier) of one ODDS set."""
    folder = odds_folder()
    if (folder / f"{name}.npz").is_file():
        data = np.load(folder / f"{name}.npz")
        X, y = data["X"], data["y"]
    else:
        from scipy.io import loadmat

        data = loadmat(folder / f"{name}.mat")
        X, y = data["X"], data["y"]
    return np.asarray(X, dtype=np.float64), np.asarray(y).ravel().astype(int)


def pca_components(n_features: int) -> int:
    """PCA's code size for ``n_features`` inputs: a quarter, between 2 and 16."""
    return int(np.clip(n_features // 4, 2, 16))


def make_detector(name: str, n_features: int, seed: int, skae_params: dict):
    """Return an unfitted detector and a function giving its outlier scores."""
    if name == "skae":
        from skae import ReconstructionOutlierDetector

        det = ReconstructionOutlierDetector(random_state=seed, **skae_params)
        return det, lambda X: -det.score_samples(X)
    if name == "skae_pca":
        from sklearn.decomposition import PCA

        from skae import ReconstructionOutlierDetector

        det = ReconstructionOutlierDetector(
            PCA(pca_components(n_features), random_state=seed)
        )
        return det, lambda X: -det.score_samples(X)
    if name == "iforest":
        from sklearn.ensemble import IsolationForest

        det = IsolationForest(random_state=seed)
        return det, lambda X: -det.score_samples(X)
    if name == "pyod_ae":
        from pyod.models.auto_encoder import AutoEncoder

        det = AutoEncoder(random_state=seed, verbose=0)
    elif name == "pyod_vae":
        from pyod.models.vae import VAE

        det = VAE(random_state=seed, verbose=0)
    elif name == "pyod_pca":
        from pyod.models.pca import PCA as PyodPCA

        det = PyodPCA(random_state=seed)
    elif name == "pyod_knn":
        from pyod.models.knn import KNN

        det = KNN()
    else:
        raise ValueError(name)
    return det, det.decision_function


def evaluate(name: str, X, y, seed: int, skae_params: dict) -> dict:
    """Fit one detector on a stratified 60 % split and score the other 40 %."""
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import train_test_split

    X_train, X_test, _, y_test = train_test_split(
        X, y, test_size=0.4, stratify=y, random_state=seed
    )
    det, outlier_scores = make_detector(name, X.shape[1], seed, skae_params)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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
        "roc_auc": roc_auc_score(y_test, scores),
        "ap": average_precision_score(y_test, scores),
        "seconds": seconds,
        "non_finite": n_bad,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
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
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    print(
        f"ODDS, {len(args.seeds)} seeds {args.seeds}, stratified 60/40 split; "
        f"Keras backend {keras.backend.backend()}; skae params {args.skae_params}",
        flush=True,
    )
    results = {}
    for set_name in args.sets:
        X, y = load_set(set_name)
        print(f"\n{set_name}: {X.shape[0]} x {X.shape[1]}, {y.mean():.1%} outliers")
        rows = []
        for det in args.detectors:
            runs = [evaluate(det, X, y, s, args.skae_params) for s in args.seeds]
            results[set_name, det] = runs
            rows.append(
                {
                    "detector": det,
                    "ROC-AUC": f"{statistics.mean(r['roc_auc'] for r in runs):.4f}",
                    "AP": f"{statistics.mean(r['ap'] for r in runs):.4f}",
                    "fit s": f"{statistics.median(r['seconds'] for r in runs):.2f}",
                    "non-finite": str(sum(r["non_finite"] for r in runs)),
                }
            )
        print_table(rows, ["detector", "ROC-AUC", "AP", "fit s", "non-finite"])
        sys.stdout.flush()

    print(f"\nmean over {len(args.sets)} sets ({', '.join(args.sets)})")
    rows = []
    for det in args.detectors:
        per_set = [results[s, det] for s in args.sets]
        rows.append(
            {
                "detector": det,
                "ROC-AUC": statistics.mean(
                    statistics.mean(r["roc_auc"] for r in runs) for runs in per_set
                ),
                "AP": statistics.mean(
                    statistics.mean(r["ap"] for r in runs) for runs in per_set
                ),
                "fit s": sum(
                    statistics.median(r["seconds"] for r in runs) for runs in per_set
                ),
                "non-finite": sum(r["non_finite"] for runs in per_set for r in runs),
            }
        )
    rows.sort(key=lambda r: -r["ROC-AUC"])
    for r in rows:
        r["ROC-AUC"], r["AP"] = f"{r['ROC-AUC']:.4f}", f"{r['AP']:.4f}"
        r["fit s"] = f"{r['fit s']:.1f}"
        r["non-finite"] = str(r["non-finite"])
    print_table(rows, ["detector", "ROC-AUC", "AP", "fit s", "non-finite"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {f"{s}/{d}": runs for (s, d), runs in results.items()}, f, indent=1
            )


if __name__ == "__main__":
    main()
