"""Choose the outlier detector's defaults for images on held-out training images.

The one-class protocol of ``bench_conv.py --task oneclass`` (Ruff et al.,
2018), moved inside the training set so that the test images stay unseen:
the training images are split once at random (seed 0) into a held-out part of
``--holdout`` images (all classes) and a fitting part. For each class, a
``ConvAutoencoder`` is fitted on that class's images of the fitting part, and
every held-out image is scored; ROC-AUC with the class as normal, mean over
the classes.

Candidates, each computed once per class from the same fitted models:

- ``standard+rarity``: the detector's table defaults applied to pixels
  (standardised per pixel, the model error plus the 20-bin rarity): its own
  fit, since the network sees other inputs;
- on the raw pixels, one fit: ``model`` (the combined error: reconstruction
  error over its training mean plus the code's Hotelling T² over the code
  size), ``recon`` (reconstruction error alone), ``model+rarity``, and
  ``model+knn`` (with the mean distance to the 5 nearest training codes,
  ``code_neighbors=5``; second parts are added as tail statistics);
- ``pixel-knn``: the mean distance to the 5 nearest training images, with no
  model, for reference.

Example::

    python benchmarks/select_image_detector.py --datasets mnist fashion-mnist
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _common import print_table
from bench_conv import load


def knn_distance(reference, queries, k=5):
    from sklearn.neighbors import NearestNeighbors

    distances = NearestNeighbors(n_neighbors=k).fit(reference).kneighbors(queries)[0]
    return distances.mean(axis=1)


def class_scores(normal, held_out, epochs, seed) -> dict[str, np.ndarray]:
    """Every candidate's anomaly score of ``held_out`` (higher: more anomalous)."""
    from skae import ConvAutoencoder, ReconstructionOutlierDetector

    flat_normal = normal.reshape(len(normal), -1).astype(np.float64)
    flat_held_out = held_out.reshape(len(held_out), -1).astype(np.float64)
    scores = {}
    standard = ReconstructionOutlierDetector(
        ConvAutoencoder(epochs=epochs, random_state=seed),
        scaler="standard",
        marginal_bins=20,
        code_neighbors=None,
        random_state=seed,
    ).fit(normal)
    scores["standard+rarity"] = standard.anomaly_score(held_out)
    raw = ReconstructionOutlierDetector(
        ConvAutoencoder(epochs=epochs, random_state=seed),
        scaler=None,
        marginal_bins=None,
        code_neighbors=None,
        random_state=seed,
    ).fit(normal)
    train_model, held_out_model = raw.anomaly_score(normal), raw.anomaly_score(held_out)
    scores["model"] = held_out_model
    scores["recon"] = raw.reconstruction_error(held_out)
    # The second parts as the detector adds them (marginal_bins=20,
    # code_neighbors=5), on the same fitted network.
    codes = raw._codes_of_scaled(flat_normal)
    held_out_codes = raw._codes_of_scaled(flat_held_out)
    for name, bins, neighbors in (("model+rarity", 20, None), ("model+knn", None, 5)):
        raw._fit_second_parts(flat_normal, train_model, codes, bins, neighbors, None)
        scores[name] = raw._sum_of_tails(flat_held_out, held_out_model, held_out_codes)
    scores["pixel-knn"] = knn_distance(flat_normal, flat_held_out)
    return scores


def main() -> None:
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion-mnist"])
    parser.add_argument("--classes", nargs="+", type=int, default=list(range(10)))
    parser.add_argument("--holdout", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"held-out training images: {args.holdout} per data set, ConvAutoencoder "
        f"at most {args.epochs} epochs, seed {args.seed}; test images unused"
    )
    for name in args.datasets:
        X, y = load(name, "train")
        order = np.random.default_rng(args.seed).permutation(len(X))
        held, fitting = order[: args.holdout], order[args.holdout :]
        rows = []
        for digit in args.classes:
            start = time.perf_counter()
            scores = class_scores(
                X[fitting][y[fitting] == digit], X[held], args.epochs, args.seed
            )
            is_outlier = (y[held] != digit).astype(int)
            row = {"class": str(digit)}
            row.update(
                {k: f"{roc_auc_score(is_outlier, s):.4f}" for k, s in scores.items()}
            )
            row["s"] = f"{time.perf_counter() - start:.0f}"
            rows.append(row)
            print_table(rows[-1:], list(row))
            sys.stdout.flush()
        mean = {"class": "mean"}
        for key in rows[0]:
            if key not in ("class", "s"):
                mean[key] = f"{np.mean([float(r[key]) for r in rows]):.4f}"
        mean["s"] = f"{sum(float(r['s']) for r in rows):.0f}"
        print(f"\n{name}")
        print_table([*rows, mean], list(mean))


if __name__ == "__main__":
    main()
