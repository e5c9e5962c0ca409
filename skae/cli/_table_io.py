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
        X = np.asarray(X, dtype=np.float64)
        bad = np.argwhere(~np.isfinite(X))
        if len(bad):
            row, column = bad[0]
            raise ValueError(
                f"{path}, row {row + 1}, column {column + 1}: {X[row, column]} is "
                "not a finite number (fill or drop incomplete rows first)."
            )
        return X, None
    rows, lines, columns = _csv_rows(path)
    return _numbers(path, rows, lines, columns), columns


def read_table_excluding(
    path: str | os.PathLike,
    exclude: Sequence[str] = (),
    exclude_if_present: Sequence[str] = (),
) -> tuple[np.ndarray, list[str] | None, dict[str, list[str]]]:
    """Return :func:`read_table`'s numbers and header without the named
    columns, and those columns' cells as text.

    Parameters
    ----------
    path : str or path-like
        As :func:`read_table`; a file with columns to exclude must be a CSV
        file with a header.
    exclude : sequence of str, default=()
        Header names of columns that are not features (identifiers, time
        stamps, labels); each must be in the header.
    exclude_if_present : sequence of str, default=()
        Names also left out where the header has them.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    columns : list of str or None
        The header of the feature columns, or None.
    excluded : dict of str to list of str
        Each column left out, in file order, and its cells.

    Raises
    ------
    ValueError
        As :func:`read_table`, and where ``exclude`` names a column the file
        does not have, or the file has no header to name it by.
    """
    path = Path(path)
    if not exclude and (not exclude_if_present or path.suffix == ".npy"):
        X, columns = read_table(path)
        return X, columns, {}
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file.")
    if path.suffix == ".npy":
        raise ValueError(f"{path}: a .npy array has no column names to exclude.")
    rows, lines, columns = _csv_rows(path)
    if columns is None:
        if exclude:
            raise ValueError(
                f"{path}: excluding columns needs a header that names them."
            )
        return _numbers(path, rows, lines, None), None, {}
    unknown = [repr(name) for name in exclude if name not in columns]
    if unknown:
        raise ValueError(
            f"{path}: no column {', '.join(unknown)} to exclude "
            f"(columns: {', '.join(columns)})."
        )
    names = set(exclude) | (set(exclude_if_present) & set(columns))
    indices = [j for j, name in enumerate(columns) if name in names]
    cells = _take_columns(path, rows, lines, len(columns), indices)
    kept = [name for j, name in enumerate(columns) if j not in indices]
    excluded = {columns[j]: cells[j] for j in indices}
    return _numbers(path, rows, lines, kept), kept, excluded


def _take_columns(
    path: Path, rows: list[list[str]], lines: list[int], width: int, indices
) -> dict[int, list[str]]:
    """Remove the columns at ``indices`` from every row (each row checked to
    be ``width`` long first); return their cells by index."""
    cells = {j: [] for j in indices}
    later_first = sorted(indices, reverse=True)  # popped so, nothing shifts
    for row, line in zip(rows, lines, strict=True):
        _check_width(path, row, width, line)
        for j in later_first:
            cells[j].append(row.pop(j))
    return cells


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
    rows, lines, columns = _csv_rows(path, skip=index)
    width = len(columns) if columns is not None else len(rows[0])
    if not by_number and columns is not None and time_column in columns:
        index = columns.index(time_column)
    if index is None or not 0 <= index < width:
        known = f" (columns: {', '.join(columns)})" if columns is not None else ""
        raise ValueError(f"{path}: no time column {time_column!r}{known}.")
    times = _take_columns(path, rows, lines, width, [index])[index]
    if columns is not None:
        columns = columns[:index] + columns[index + 1 :]
    return _numbers(path, rows, lines, columns), columns, times


def _csv_rows(
    path: Path, skip: int | None = None
) -> tuple[list[list[str]], list[int], list[str] | None]:
    """The non-empty rows of a CSV file, their line numbers, and its header.

    The first row is a header (None without one) when it is not all numbers
    or missing values, column ``skip`` (a time column) aside, when its cell in
    that column is empty, or when it is pandas' header of a frame without
    column names, ``,0,1,2,...``.
    """
    try:
        rows, lines = _read_csv(path, "utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: a spreadsheet's legacy code page. Numbers are ASCII in
        # every one of them, and Latin-1 reads any byte.
        rows, lines = _read_csv(path, "latin-1")
    if not rows:
        raise ValueError(f"{path}: the file holds no rows.")
    _check_delimiter(path, rows)
    columns = None
    first = rows[0]
    values = [c for j, c in enumerate(first) if j != skip]
    # pandas writes "" over its index: over a time column, or as the first
    # cell of the header 0, 1, 2, ... of a frame without column names.
    blank_index = (
        skip is not None and skip < len(first) and not first[skip].strip()
    ) or (
        not first[0].strip()
        and len(first) > 1
        and [c.strip() for c in first[1:]] == [str(j) for j in range(len(first) - 1)]
    )
    if blank_index or not _all_numbers(values):
        columns, rows, lines = [name.strip() for name in first], rows[1:], lines[1:]
    if not rows:
        raise ValueError(f"{path}: the file holds a header but no data rows.")
    return rows, lines, columns


def _read_csv(path: Path, encoding: str) -> tuple[list[list[str]], list[int]]:
    """The rows with a non-blank cell, and the line on which each ends."""
    rows, lines = [], []
    # utf-8-sig drops the byte-order mark that spreadsheets put first.
    with open(path, newline="", encoding=encoding) as file:
        reader = csv.reader(file)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                    lines.append(reader.line_num)
        except csv.Error as error:
            raise ValueError(f"{path}, line {reader.line_num}: {error}.") from None
    return rows, lines


def _check_delimiter(path: Path, rows: list[list[str]]) -> None:
    """Refuse a file whose header or lines are one cell split by another delimiter.

    A header of one cell holding ``;`` (tab, ``|``) gives it away even where
    decimal commas split the data rows into several cells.
    """
    for delimiter, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
        header_alone = len(rows[0]) == 1 and delimiter in rows[0][0]
        if header_alone or all(
            len(row) == 1 and delimiter in row[0] for row in rows[:2]
        ):
            raise ValueError(
                f"{path}: the values seem to be separated by {name}; skae reads "
                "comma-separated files (save the file as CSV with commas)."
            )


def _check_width(path: Path, row: list[str], width: int, line: int) -> None:
    if len(row) != width:
        raise ValueError(f"{path}, line {line}: {len(row)} values, expected {width}.")


def _numbers(
    path: Path, rows: list[list[str]], lines: list[int], columns: list[str] | None
):
    """The cells of ``rows`` as a float64 array; errors name line and column."""
    width = len(columns) if columns is not None else len(rows[0])
    X = np.empty((len(rows), width), dtype=np.float64)
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        _check_width(path, row, width, line)
        for j, cell in enumerate(row):
            try:
                X[i, j] = value = float(cell)
            except ValueError:
                value = None
            if value is None or not np.isfinite(value):
                column = repr(columns[j]) if columns is not None else j + 1
                where = f"{path}, line {line}, column {column}"
                raise ValueError(f"{where}: {_cell_problem(cell, value)}") from None
    return X


# Cells that spreadsheets, pandas and R write for a missing value.
_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-", "#n/a"}


def _cell_problem(cell: str, value: float | None) -> str:
    """Say what is wrong with a cell that is not a finite number."""
    if cell.strip().lower() in _MISSING:
        return (
            f"missing value ({cell!r}); every cell needs a number (fill or drop "
            "the incomplete rows first)."
        )
    if value is not None:  # inf, or beyond the float range
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
