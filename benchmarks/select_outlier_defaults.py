"""Choose the outlier detector's default combination of parts without overfitting.

Each candidate default is a sum of tail statistics (Fisher's combination,
``skae.outlier``) of some of these parts, all computed on standardised data:

- ``model``: the default autoencoder's reconstruction error over its training
  mean plus the code's Hotelling T² over the code size (the "combined" error);
- ``recon``: the reconstruction error alone;
- ``rarity``: the 20-bin per-feature histogram rarity (HBOS);
- ``knn``: the mean distance to the ``k`` nearest of a random reference
  subsample of the training rows (a training row in the reference skips
  itself);
- ``iforest``: ``-score_samples`` of scikit-learn's IsolationForest;
- ``ecdf``: per feature, ``-log`` of the smaller of the two empirical tail
  probabilities of the value among the training values (with one added to
  the counts, as ECOD's empirical tails), summed over the features: a
  marginal rarity without bins, finest in the tails where the histograms
  have their coarsest resolution (added 2026-12-04 with the candidates that
  use it, before their results were computed).

For every set and seed (the protocol of ``bench_outliers.py``: stratified 60/40
split, fit on the 60 % without labels) the parts of the training and test rows
are computed once and cached as ``.npz`` files; the candidates are then scored
from the cache.  The autoencoder is trained on at most ``--max-samples`` rows
of the training part.

Selection: the candidates are fixed in ``CANDIDATES`` before the run; the one
with the best sum of mean ROC-AUC and mean average precision over the
**selection** half of the sets is chosen, and a simpler candidate (fewer
parts) wins when it is within ``--noise`` of the best mean ROC-AUC and AP.
Candidates in ``EXPLORATORY`` (added later) are scored and reported beside
them (mean ranks among all candidates and the peers' cached results) but
never chosen.  The **check** half is reported untouched, and a
leave-one-set-out estimate over all 23 sets is printed as a second opinion:
for each set, the candidate chosen on the other 22 by the same rule, scored on
the set left out.

Example::

    python benchmarks/select_outlier_defaults.py
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
from bench_outliers import CHECK, PEERS, SELECTION, SETS, load_set, read_cache

PARTS = ("model", "recon", "rarity", "knn", "iforest", "ecdf")
CANDIDATES = {
    "model+rarity": ("model", "rarity"),
    "recon+rarity": ("recon", "rarity"),
    "model": ("model",),
    "model+knn": ("model", "knn"),
    "model+rarity+knn": ("model", "rarity", "knn"),
    "recon+rarity+knn": ("recon", "rarity", "knn"),
    "model+rarity+iforest": ("model", "rarity", "iforest"),
    "model+knn+iforest": ("model", "knn", "iforest"),
    "model+rarity+knn+iforest": ("model", "rarity", "knn", "iforest"),
}
# Scored and reported, never chosen: candidates added after the selection
# above had been made and its check-half results seen. By the selection rule
# model+rarity+ecdf would win (AP +0.008 on the selection half); the check
# half measures it clearly worse (ROC-AUC 0.789 against 0.811) and
# leave-one-set-out never picks it, so it is kept apart (benchmarks/README.md).
EXPLORATORY = {
    "model+ecdf": ("model", "ecdf"),
    "model+rarity+ecdf": ("model", "rarity", "ecdf"),
}


def ecdf_tails(train: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The ``ecdf`` part of the rows of ``X`` against ``train`` (see above)."""
    n = len(train)
    total = np.zeros(len(X))
    for j in range(train.shape[1]):
        column = np.sort(train[:, j])
        at_most = np.searchsorted(column, X[:, j], side="right")
        at_least = n - np.searchsorted(column, X[:, j], side="left")
        smaller = np.minimum(at_most, at_least)
        total -= np.log((smaller + 1) / (n + 1))
    return total


def compute_parts(
    X_train, X_test, seed, max_samples, n_reference, k, ae_params
) -> dict:
    """Return every part's training and test values, and fit seconds."""
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    from skae.outlier._code_distance import code_distance, fit_code_distribution
    from skae.outlier._detector import default_autoencoder
    from skae.outlier._histograms import FeatureHistograms

    rng = np.random.default_rng(seed)
    seconds = {}
    scaler = StandardScaler().fit(X_train)
    A, B = scaler.transform(X_train), scaler.transform(X_test)
    out = {}

    start = time.perf_counter()
    rows = rng.permutation(len(A))[:max_samples]
    ae = default_autoencoder(A.shape[1], seed).set_params(**ae_params)
    ae.fit(A[rows])
    recon_a, recon_b = ae.reconstruction_error(A), ae.reconstruction_error(B)
    codes_a, codes_b = ae.transform(A), ae.transform(B)
    mean, precision = fit_code_distribution(codes_a)
    scale = max(float(recon_a.mean()), 1e-300)
    out["recon"] = recon_a, recon_b
    out["model"] = tuple(
        r / scale + code_distance(c, mean, precision)
        for r, c in ((recon_a, codes_a), (recon_b, codes_b))
    )
    seconds["model"] = time.perf_counter() - start

    start = time.perf_counter()
    hist = FeatureHistograms(20).fit(A)
    out["rarity"] = hist.rarity(A).sum(1), hist.rarity(B).sum(1)
    seconds["rarity"] = time.perf_counter() - start

    start = time.perf_counter()
    ref = rng.permutation(len(A))[:n_reference]
    nn = NearestNeighbors(n_neighbors=k + 1).fit(A[ref])
    dist_a, idx_a = nn.kneighbors(A)
    is_self = ref[idx_a] == np.arange(len(A))[:, None]
    # Drop the row itself where it is in the reference, else the farthest.
    keep = ~is_self
    keep[~is_self.any(1), -1] = False
    knn_a = dist_a[keep].reshape(len(A), k).mean(1)
    knn_b = NearestNeighbors(n_neighbors=k).fit(A[ref]).kneighbors(B)[0].mean(1)
    out["knn"] = knn_a, knn_b
    seconds["knn"] = time.perf_counter() - start

    start = time.perf_counter()
    forest = IsolationForest(random_state=seed).fit(A)
    out["iforest"] = -forest.score_samples(A), -forest.score_samples(B)
    seconds["iforest"] = time.perf_counter() - start

    start = time.perf_counter()
    out["ecdf"] = ecdf_tails(A, A), ecdf_tails(A, B)
    seconds["ecdf"] = time.perf_counter() - start
    return out, seconds


def parts_for(set_name, seed, args, folder: Path):
    """Return the cached parts of one set and seed, computing them if missing."""
    from sklearn.model_selection import train_test_split

    path = folder / f"{set_name}_{seed}.npz"
    if path.is_file():
        data = np.load(path)
        if "ecdf_train" in data:
            parts = {p: (data[f"{p}_train"], data[f"{p}_test"]) for p in PARTS}
            return parts, data["y_test"], json.loads(str(data["seconds"]))
    X, y = load_set(set_name)
    X_train, X_test, _, y_test = train_test_split(
        X, y, test_size=0.4, stratify=y, random_state=seed
    )
    if path.is_file():  # a cache from before the ecdf part: add it
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(X_train)
        A, B = scaler.transform(X_train), scaler.transform(X_test)
        arrays = dict(data)
        seconds = json.loads(str(data["seconds"]))
        start = time.perf_counter()
        arrays["ecdf_train"], arrays["ecdf_test"] = ecdf_tails(A, A), ecdf_tails(A, B)
        seconds["ecdf"] = time.perf_counter() - start
        arrays["seconds"] = json.dumps(seconds)
        np.savez(path, **arrays)
        return parts_for(set_name, seed, args, folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts, seconds = compute_parts(
            X_train,
            X_test,
            seed,
            args.max_samples,
            args.n_reference,
            args.k,
            args.ae_params,
        )
    arrays = {}
    for name, (train, test) in parts.items():
        arrays[f"{name}_train"], arrays[f"{name}_test"] = train, test
    np.savez(path, y_test=y_test, seconds=json.dumps(seconds), **arrays)
    return parts, y_test, seconds


def combine(parts: dict, names) -> np.ndarray:
    """Fisher's combination of the named parts' tail statistics (test rows)."""
    from skae.outlier._tail_statistic import TailStatistic

    total = 0.0
    for name in names:
        train, test = parts[name]
        total = total + TailStatistic().fit(train).transform(test)
    return total


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--max-samples", type=int, default=20_000)
    parser.add_argument("--n-reference", type=int, default=2_000)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--ae-params", type=json.loads, default={})
    parser.add_argument("--noise", type=float, default=0.005)
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument(
        "--folder", type=Path, default=REPO / "benchmarks" / "results" / "parts"
    )
    parser.add_argument(
        "--peers", type=Path, default=REPO / "benchmarks" / "results" / "outliers.jsonl"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from sklearn.metrics import average_precision_score, roc_auc_score

    args.folder.mkdir(parents=True, exist_ok=True)
    table = {}
    for set_name in args.sets:
        scored = {**CANDIDATES, **EXPLORATORY}
        per_seed = {c: [] for c in scored}
        fit_s = []
        for seed in args.seeds:
            parts, y_test, seconds = parts_for(set_name, seed, args, args.folder)
            fit_s.append(seconds)
            for cand, names in scored.items():
                s = combine(parts, names)
                per_seed[cand].append(
                    (roc_auc_score(y_test, s), average_precision_score(y_test, s))
                )
        for cand, runs in per_seed.items():
            table[set_name, cand] = {
                "roc_auc": statistics.mean(r[0] for r in runs),
                "ap": statistics.mean(r[1] for r in runs),
            }
        secs = {p: max(s[p] for s in fit_s) for p in fit_s[0]}
        secs = {p: round(v, 1) for p, v in secs.items()}
        print(f"{set_name}: max seconds per part {json.dumps(secs)}", flush=True)
    peers = read_cache(args.peers)
    for set_name in args.sets:
        for peer in PEERS:
            # Every cached seed (the slowest peers ran fewer on the largest sets).
            runs = [r for s in args.seeds if (r := peers.get((set_name, peer, s)))]
            if runs:
                table[set_name, peer] = {
                    "roc_auc": statistics.mean(r["roc_auc"] for r in runs),
                    "ap": statistics.mean(r["ap"] for r in runs),
                }
    peer_labels = [p for p in PEERS if all((s, p) in table for s in args.sets)]
    labels = [*CANDIDATES, *EXPLORATORY, *peer_labels]

    def report(sets, title):
        from scipy.stats import rankdata

        ranks = {label: [] for label in labels}
        for s in sets:
            aucs = [-table[s, label]["roc_auc"] for label in labels]
            for label, r in zip(labels, rankdata(aucs), strict=True):
                ranks[label].append(r)
        rows = [
            {
                "detector": label,
                "ROC-AUC": statistics.mean(table[s, label]["roc_auc"] for s in sets),
                "AP": statistics.mean(table[s, label]["ap"] for s in sets),
                "rank": statistics.mean(ranks[label]),
            }
            for label in labels
        ]
        rows.sort(key=lambda r: r["rank"])
        print(f"\n{title} ({len(sets)} sets)")
        shown = [
            {
                "detector": r["detector"],
                "ROC-AUC": f"{r['ROC-AUC']:.4f}",
                "AP": f"{r['AP']:.4f}",
                "rank": f"{r['rank']:.2f}",
            }
            for r in rows
        ]
        print_table(shown, ["detector", "ROC-AUC", "AP", "rank"])
        return {r["detector"]: r for r in rows}

    def choose(sets):
        means = {
            c: (
                statistics.mean(table[s, c]["roc_auc"] for s in sets),
                statistics.mean(table[s, c]["ap"] for s in sets),
            )
            for c in CANDIDATES
        }
        best = max(means, key=lambda c: sum(means[c]))
        near = [
            c
            for c in CANDIDATES
            if means[c][0] >= means[best][0] - args.noise
            and means[c][1] >= means[best][1] - args.noise
        ]
        return min(near, key=lambda c: (len(CANDIDATES[c]), -sum(means[c])))

    selection = [s for s in args.sets if s in SELECTION]
    check = [s for s in args.sets if s in CHECK]
    report(selection, "selection half")
    chosen = choose(selection)
    print(f"\nchosen on the selection half: {chosen}")
    report(check, "check half, untouched")
    report(args.sets, "all sets")
    picks = {}
    for left_out in args.sets:
        picks[left_out] = choose([s for s in args.sets if s != left_out])
    loso_auc = statistics.mean(table[s, picks[s]]["roc_auc"] for s in args.sets)
    loso_ap = statistics.mean(table[s, picks[s]]["ap"] for s in args.sets)
    print(
        f"\nleave-one-set-out: ROC-AUC {loso_auc:.4f}, AP {loso_ap:.4f}; "
        f"picks {sorted(set(picks.values()))}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
