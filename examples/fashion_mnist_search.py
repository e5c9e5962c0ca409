"""Image search in code space
==========================

Find similar clothes: nearest neighbours of Fashion-MNIST images in code space.

A ConvAutoencoder with a 32-value code is fitted on the training images (the
database); each query image from the test set is encoded, and the database
images with the nearest codes are returned. The figure shows each query (left,
framed) and its nearest neighbours, each titled with its class: green when it
is the query's class, red when not. The script also prints precision@10 by
class label over all test images, for the codes and for the raw pixels.

Data: the Fashion-MNIST IDX files, found through --data-home, SKAE_DATA or the
Keras cache.

Run it from the repository root::

    python examples/fashion_mnist_search.py --epochs 20 --output figures/
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skae import CodeNeighbors, ConvAutoencoder  # noqa: E402
from skae.datasets import load_fashion_mnist  # noqa: E402
from skae.neighbors import label_precision_at_k  # noqa: E402

CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def plot_neighbours(queries, query_labels, neighbours, neighbour_labels):
    """Each query in its row, framed, followed by its neighbours."""
    n_rows, n_neighbours = neighbours.shape[:2]
    fig, axes = plt.subplots(
        n_rows,
        n_neighbours + 1,
        figsize=(1.3 * (n_neighbours + 1), 1.45 * n_rows),
        squeeze=False,
    )
    for row in range(n_rows):
        images = [queries[row], *neighbours[row]]
        labels = [query_labels[row], *neighbour_labels[row]]
        for column, (ax, image, label) in enumerate(
            zip(axes[row], images, labels, strict=True)
        ):
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if column == 0:
                color = "black"
                for spine in ax.spines.values():
                    spine.set_linewidth(2.5)
                ax.set_ylabel("query", fontsize=8)
            else:
                color = "tab:green" if label == query_labels[row] else "tab:red"
            ax.set_title(CLASSES[label], fontsize=7, color=color)
    fig.suptitle("Queries and their nearest neighbours in code space")
    fig.tight_layout()
    return fig


def search_and_report(name, search, X_db, y_db, X_q, y_q):
    """Fit ``search`` on the database, query it, print precision@10 and speed."""
    search.fit(X_db)
    start = time.perf_counter()
    neighbours = search.kneighbors(X_q, n_neighbors=10, return_distance=False)
    seconds = time.perf_counter() - start
    precision = label_precision_at_k(neighbours, y_q, y_db)
    print(
        f"{name + ':':19s} precision@10 {precision:.4f}"
        f" ({len(X_q) / seconds:,.0f} queries/s, encoding included)"
    )
    return neighbours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--n-train", type=int, default=None, help="first N images")
    parser.add_argument(
        "--n-test", type=int, default=None, help="first N test images as queries"
    )
    parser.add_argument("--queries", type=int, default=6, help="rows in the figure")
    parser.add_argument("--output", type=Path, default=Path("figures"))
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    X_db, y_db = load_fashion_mnist("train", data_home=args.data_home, flatten=False)
    X_q, y_q = load_fashion_mnist("test", data_home=args.data_home, flatten=False)
    X_db, y_db = X_db[: args.n_train], y_db[: args.n_train]
    X_q, y_q = X_q[: args.n_test], y_q[: args.n_test]

    encoder = ConvAutoencoder(
        32, loss="binary_crossentropy", epochs=args.epochs, random_state=0
    )
    neighbours = search_and_report(
        "codes of 32 values", CodeNeighbors(encoder), X_db, y_db, X_q, y_q
    )
    search_and_report("raw pixels", CodeNeighbors("passthrough"), X_db, y_db, X_q, y_q)

    # One query of each of the first classes, the same ones on every run.
    rows = [int(np.flatnonzero(y_q == c)[0]) for c in range(args.queries)]
    shown = neighbours[rows, :7]
    fig = plot_neighbours(X_q[rows], y_q[rows], X_db[shown], y_db[shown])
    path = args.output / "fashion_search_neighbours.png"
    fig.savefig(path, dpi=120)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
