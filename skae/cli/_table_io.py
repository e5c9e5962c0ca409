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
        If the file holds no rows, rows of unequal length, a missing value, a
        cell that is not a finite number, or seems split by another delimiter
        than the comma; the message names the file, the line and the column.
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
    rows, columns = _csv_rows(path)
    return _numbers(path, rows, columns), columns


def read_series(
    path: str | os.PathLike, time_column: str | None = None
) -> tuple[np.ndarray, list[str] | None, list[str] | None]:
    """Return a series from ``path``: its values, their columns, and the times.

    Parameters
    ----------
    path : str or path-like
        A CSV file, one row per time point (or a ``.npy`` array, without
        times).
    time_column : str or None, default=None
        The column holding the time stamps, by header name or 1-based
        number; kept as text. None: the file holds values only.

    Returns
    -------
    values : ndarray of float64, shape (n_times, n_features)
    columns : list of str or None
        The header of the value columns, or None.
    times : list of str or None
        The time stamps, or None.

    Raises
    ------
    ValueError
        As :func:`read_table`, and for a time column that is not in the file.
    """
    if time_column is None:
        values, columns = read_table(path)
        return values, columns, None
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file.")
    if path.suffix == ".npy":
        raise ValueError(f"{path}: a .npy array has no time column.")
    by_number = time_column.isdigit()
    index = int(time_column) - 1 if by_number else None
    rows, columns = _csv_rows(path, skip=index)
    width = len(columns) if columns is not None else len(rows[0])
    if not by_number and columns is not None and time_column in columns:
        index = columns.index(time_column)
    if index is None or not 0 <= index < width:
        known = f" (columns: {', '.join(columns)})" if columns is not None else ""
        raise ValueError(f"{path}: no time column {time_column!r}{known}.")
    first_line = 2 if columns is not None else 1
    times = []
    for i, row in enumerate(rows):
        _check_width(path, row, width, i + first_line)
        times.append(row.pop(index))
    if columns is not None:
        columns = columns[:index] + columns[index + 1 :]
    return _numbers(path, rows, columns), columns, times


def _csv_rows(
    path: Path, skip: int | None = None
) -> tuple[list[list[str]], list[str] | None]:
    """The non-empty rows of a CSV file and its header (None without one).

    The first row is a header when it is not all numbers, column ``skip`` (a
    time column) aside, or when its cell in that column is empty.
    """
    # utf-8-sig drops the byte-order mark that spreadsheets put first.
    with open(path, newline="", encoding="utf-8-sig") as file:
        rows = [row for row in csv.reader(file) if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"{path}: the file holds no rows.")
    _check_delimiter(path, rows)
    columns = None
    values = [c for j, c in enumerate(rows[0]) if j != skip]
    # An empty time cell marks a header too (pandas writes "" over its index).
    blank_time = skip is not None and skip < len(rows[0]) and not rows[0][skip].strip()
    if blank_time or not _all_numbers(values):
        columns, rows = [name.strip() for name in rows[0]], rows[1:]
    if not rows:
        raise ValueError(f"{path}: the file holds a header but no data rows.")
    return rows, columns


def _check_delimiter(path: Path, rows: list[list[str]]) -> None:
    """Refuse a file whose lines hold one cell split by another delimiter."""
    if any(len(row) > 1 for row in rows[:2]):
        return
    for delimiter, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
        if all(delimiter in row[0] for row in rows[:2]):
            raise ValueError(
                f"{path}: the values seem to be separated by {name}; skae reads "
                "comma-separated files (save the file as CSV with commas)."
            )


def _check_width(path: Path, row: list[str], width: int, line: int) -> None:
    if len(row) != width:
        raise ValueError(f"{path}, line {line}: {len(row)} values, expected {width}.")


def _numbers(path: Path, rows: list[list[str]], columns: list[str] | None):
    """The cells of ``rows`` as a float64 array; errors name line and column."""
    width = len(columns) if columns is not None else len(rows[0])
    X = np.empty((len(rows), width), dtype=np.float64)
    first_line = 2 if columns is not None else 1
    for i, row in enumerate(rows):
        _check_width(path, row, width, i + first_line)
        for j, cell in enumerate(row):
            try:
                X[i, j] = value = float(cell)
            except ValueError:
                value = None
            if value is None or not np.isfinite(value):
                column = columns[j] if columns is not None else j + 1
                where = f"{path}, line {i + first_line}, column {column}"
                raise ValueError(f"{where}: {_cell_problem(cell)}") from None
    return X


# Cells that spreadsheets, pandas and R write for a missing value.
_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-", "#n/a"}


def _cell_problem(cell: str) -> str:
    """Say what is wrong with a cell that is not a finite number."""
    if cell.strip().lower() in _MISSING:
        return (
            f"missing value ({cell!r}); every cell needs a number (fill or drop "
            "the incomplete rows first)."
        )
    if cell.strip().lower().lstrip("+-") in ("inf", "infinity"):
        return f"{cell!r} is not a finite number."
    return f"{cell!r} is not a number."


def write_table(
    path: str | os.PathLike, columns: Sequence[str], values: Sequence[np.ndarray]
) -> None:
    """Write equally long 1-D ``values`` as the named ``columns`` of a CSV file.

    Integer arrays are written as integers, floats with full precision, and
    text columns as they are. The file is written whole or not at all: to a
    temporary file beside it, then moved into place.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        _write_csv(partial, columns, values)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_csv(path: Path, columns, values) -> None:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        formatted = [
            _floats(v) if np.issubdtype(v.dtype, np.floating) else v.astype(str)
            for v in map(np.asarray, values)
        ]
        writer.writerows(zip(*formatted, strict=True))


def _floats(values: np.ndarray) -> list[str]:
    return [repr(float(v)) for v in values]


def _all_numbers(row: Sequence[str]) -> bool:
    """Whether every cell reads as a number or as a missing value (a data row)."""
    try:
        for cell in row:
            if cell.strip().lower() not in _MISSING:
                float(cell)
    except ValueError:
        return False
    return True
