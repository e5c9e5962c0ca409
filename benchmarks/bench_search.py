"""Similarity search on Fashion-MNIST: which codes to search, and how fast.

The database is the 60 000 training images, the queries the 10 000 test
images. Each representation of 32 values (the codes of ``DenseAutoencoder``,
``ConvAutoencoder`` and ``VariationalAutoencoder``, PCA with 32 components) and
the raw 784 pixels are searched with :class:`skae.neighbors.CodeNeighbors`,
exactly (brute force) and approximately (NN-descent, when ``pynndescent`` is
installed), all in the same run. For each it prints:

- ``p@10``: precision@10 by class label, the fraction of a query's 10 nearest
  database images that share its class, averaged over the queries;
- ``recall``: for the approximate index, the fraction of the exact 10 nearest
  neighbours that it finds;
- ``fit s``: seconds to fit the encoder on the database (once per
  representation: both indexes search the same codes);
- ``index s``: seconds to encode the database and build the index;
- ``encode s``: seconds to encode the queries (part of ``query s``);
- ``query s``: seconds to answer the 10 000 queries, encoding them included;
- ``queries/s``: 10 000 divided by ``query s``, and the speed-up over the
  exact search of raw pixels.

pynndescent compiles its code (numba) once per process, which takes about a
minute; the benchmark does that on a small warm-up index before timing.

Run ``python benchmarks/bench_search.py`` (about 15 minutes on 2 CPU cores;
``--epochs`` sets the autoencoders' training budget). Data: see
``benchmarks/_common.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import data_folder, print_table
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator

from skae import (
    CodeNeighbors,
    ConvAutoencoder,
    DenseAutoencoder,
    VariationalAutoencoder,
)
from skae.datasets import load_fashion_mnist
from skae.neighbors import label_precision_at_k

K = 10


def encoders(epochs: int, seed: int) -> dict:
    """The representations compared, each of 32 values but the raw pixels."""
    common = dict(epochs=epochs, random_state=seed, loss="binary_crossentropy")
    return {
        "raw pixels": "passthrough",
        # What CodeNeighbors() builds: DenseAutoencoder(32) with its defaults.
        "default encoder": None,
        "PCA(32)": PCA(32, random_state=seed),
        "DenseAutoencoder": DenseAutoencoder(
            32, hidden_layer_sizes=(128, 64), **common
        ),
        "ConvAutoencoder": ConvAutoencoder(32, image_shape=(28, 28), **common),
        "VariationalAutoencoder": VariationalAutoencoder(
            32, hidden_layer_sizes=(512, 256), epochs=epochs, random_state=seed
        ),
    }


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--metric", default="euclidean")
    parser.add_argument("--only", nargs="*", help="representations to run")
    args = parser.parse_args()

    folder = data_folder()
    X_db, y_db = load_fashion_mnist("train", data_home=folder, download=False)
    X_q, y_q = load_fashion_mnist("test", data_home=folder, download=False)
    try:
        import pynndescent  # noqa: F401

        indexes = ["exact", "approximate"]
        # Compile pynndescent's numba code before anything is timed.
        warm_up = np.random.RandomState(0).rand(500, 32).astype(np.float32)
        CodeNeighbors(
            "passthrough", index="approximate", metric=args.metric, random_state=0
        ).fit(warm_up).kneighbors(warm_up)
    except ImportError:
        print("pynndescent is not installed: exact search only.")
        indexes = ["exact"]

    rows, exact_neighbours, raw_speed = [], {}, None
    for name, encoder in encoders(args.epochs, args.seed).items():
        if args.only and name not in args.only:
            continue
        if encoder == "passthrough":
            fit_seconds, encode_seconds = 0.0, 0.0
        else:
            if encoder is None:
                encoder = CodeNeighbors(random_state=args.seed)._make_encoder(784)
            fitted, fit_seconds = timed(clone(encoder).fit, X_db)
            _, encode_seconds = timed(fitted.transform, X_q)
            # Frozen: every index below searches the codes of this one fit.
            encoder = FrozenEstimator(fitted)
        for index in indexes:
            search = CodeNeighbors(
                encoder,
                n_neighbors=K,
                metric=args.metric,
                index=index,
                random_state=args.seed,
            )
            _, index_seconds = timed(search.fit, X_db)
            indices, query_seconds = timed(
                search.kneighbors, X_q, return_distance=False
            )
            speed = len(X_q) / query_seconds
            if index == "exact":
                exact_neighbours[name] = indices
                if name == "raw pixels":
                    raw_speed = speed
            found = [
                len(np.intersect1d(a, b)) / K
                for a, b in zip(indices, exact_neighbours[name], strict=True)
            ]
            rows.append(
                {
                    "codes": name,
                    "index": index,
                    "p@10": f"{label_precision_at_k(indices, y_q, y_db):.4f}",
                    "recall": f"{np.mean(found):.3f}",
                    "fit s": f"{fit_seconds:.1f}",
                    "index s": f"{index_seconds:.2f}",
                    "encode s": f"{encode_seconds:.2f}",
                    "query s": f"{query_seconds:.2f}",
                    "queries/s": f"{speed:,.0f}",
                    "vs raw exact": f"{speed / raw_speed:.1f}x" if raw_speed else "",
                }
            )
            print(rows[-1], flush=True)
    print()
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
