"""Helpers shared by the Fashion-MNIST benchmarks: data, layer sizes, tables.

The data are looked for in the folder named by the ``SKAE_DATA`` environment
variable, else in ``<repo>/../shared/data``. Either folder may hold the four
Fashion-MNIST ``.gz`` files directly or in a ``fashion-mnist/`` subfolder.
Nothing is downloaded: a benchmark exits with a clear message when the files
are missing.
"""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
FILES = {
    "train": "train-images-idx3-ubyte.gz",
    "test": "t10k-images-idx3-ubyte.gz",
}
N_FEATURES = 784

# The two architectures of the tutorials: encoder widths, code size.
MODELS = {
    "simple": {"hidden_layer_sizes": (), "n_components": 32},
    "deep": {"hidden_layer_sizes": (128, 64), "n_components": 32},
}


def data_folder() -> Path:
    """Return the folder that holds the Fashion-MNIST files, or exit."""
    root = Path(os.environ.get("SKAE_DATA") or REPO.parent / "shared" / "data")
    for folder in (root, root / "fashion-mnist"):
        if all((folder / name).is_file() for name in FILES.values()):
            return folder
    sys.exit(
        f"Fashion-MNIST not found in {root} (nor in {root / 'fashion-mnist'}). "
        "Put train-images-idx3-ubyte.gz and t10k-images-idx3-ubyte.gz there, or "
        "set SKAE_DATA to the folder that holds them."
    )


def load_images(subset: str) -> np.ndarray:
    """Return the ``subset`` ("train" or "test") images as float32 (n, 784) in [0, 1].

    Uses ``skae.datasets.load_fashion_mnist`` when it is there and works, else
    reads the gzip IDX file directly.
    """
    folder = data_folder()
    try:
        from skae.datasets import load_fashion_mnist

        X, _ = load_fashion_mnist(
            "test" if subset == "test" else "train",
            data_home=folder,
            download=False,
        )
        X = np.ascontiguousarray(X, dtype=np.float32)
        if X.shape[1:] == (N_FEATURES,):
            return X
    except Exception:  # noqa: BLE001 (any failure: fall back to the raw files)
        pass
    with gzip.open(folder / FILES[subset], "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    X = raw.reshape(-1, N_FEATURES).astype(np.float32)
    X /= 255.0
    return X


def layer_widths(model: str) -> list[int]:
    """Return the widths of every layer of ``model``, input to output."""
    spec = MODELS[model]
    encoder = [*spec["hidden_layer_sizes"], spec["n_components"]]
    return [N_FEATURES, *encoder, *reversed(spec["hidden_layer_sizes"]), N_FEATURES]


def add_holdout_argument(parser) -> None:
    """Add ``--holdout N``: choose settings on held-out training images."""
    parser.add_argument(
        "--holdout",
        type=int,
        default=0,
        help="score on the last HOLDOUT training images instead of the test set "
        "(to choose settings), training on the ones before them",
    )


def print_table(rows: list[dict], columns: list[str]) -> None:
    """Print ``rows`` as an aligned plain-text (Markdown) table."""
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        padded = (v.ljust(w) for v, w in zip(values, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    print(line(columns))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print(line(r))
