"""Reading numeric tables from CSV or ``.npy`` files, writing result tables as CSV."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def read_table(path: str | os.PathLike) -> tuple[np.ndarray, list[str] | None]:
    """Return the numbers in ``path`` as a 2-D float64 array, and its header.

    Parameters
    ----------
    path : str or path-like
        A ``.npy`` file holding a 2-D numeric array, or a CSV file of numbers
        (comma-separated; a first row that is not all numbers is its header).

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    columns : list of str or None
        The CSV header, or None.

    Raises
    ------
    ValueError
        If the file holds no rows, rows of unequal length, or a cell that is
        not a number; the message names the file, the row and the column.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file.")
    if path.suffix == ".npy":
        X = np.load(path, allow_pickle=False)
        if X.ndim != 2 or not np.issubdtype(X.dtype, np.number):
            raise ValueError(
                f"{path}: expected a 2-D numeric array, got shape {X.shape} of "
                f"{X.dtype}."
            )
        return np.asarray(X, dtype=np.float64), None
    with open(path, newline="") as file:
        rows = [row for row in csv.reader(file) if row]
    if not rows:
        raise ValueError(f"{path}: the file holds no rows.")
    columns = None
    if not _all_numbers(rows[0]):
        columns, rows = [name.strip() for name in rows[0]], rows[1:]
    if not rows:
        raise ValueError(f"{path}: the file holds a header but no data rows.")
    width = len(columns) if columns is not None else len(rows[0])
    X = np.empty((len(rows), width), dtype=np.float64)
    first_line = 2 if columns is not None else 1
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"{path}, line {i + first_line}: {len(row)} values, expected {width}."
            )
        for j, cell in enumerate(row):
            try:
                X[i, j] = float(cell)
            except ValueError:
                column = columns[j] if columns is not None else j + 1
                raise ValueError(
                    f"{path}, line {i + first_line}, column {column}: {cell!r} is "
                    "not a number."
                ) from None
    return X, columns


def write_table(
    path: str | os.PathLike, columns: Sequence[str], values: Sequence[np.ndarray]
) -> None:
    """Write equally long 1-D ``values`` as the named ``columns`` of a CSV file.

    Integer arrays are written as integers, floats with full precision.
    """
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        formatted = [
            v.astype(str) if np.issubdtype(v.dtype, np.integer) else _floats(v)
            for v in map(np.asarray, values)
        ]
        writer.writerows(zip(*formatted, strict=True))


def _floats(values: np.ndarray) -> list[str]:
    return [repr(float(v)) for v in values]


def _all_numbers(row: Sequence[str]) -> bool:
    try:
        for cell in row:
            float(cell)
    except ValueError:
        return False
    return True
