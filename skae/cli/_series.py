"""``skae series``: anomalies in a long series, from CSV files.

``skae series fit TRAIN --save MODEL`` fits a
:class:`~skae.timeseries.TimeSeriesOutlierDetector` on a series known to be
normal (or on its first ``--train-rows`` rows) and saves it; ``skae series
score DATA --load MODEL --output SCORES.csv`` scores every time point of
another series and writes one row per point: the time (or row number), the
anomaly score, the decision value (negative for anomalies) and the flag
(1 = anomaly). It prints the anomalous intervals.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from .. import _persistence
from ._help import command_description
from ._output import check_destination, writing
from ._table_io import read_series, write_table


def add_series_command(commands) -> None:
    """Add ``series fit`` and ``series score`` to the ``skae`` sub-commands."""
    series = commands.add_parser(
        "series",
        help="anomalies in a long series: fit on its normal part, score every point",
        description=command_description(__doc__),
    )
    actions = series.add_subparsers(dest="action", required=True)

    fit = actions.add_parser("fit", help="fit a detector on a normal series; save it")
    fit.add_argument("data", help="a CSV file, one row per time point")
    fit.add_argument("--save", required=True, help="file to write the detector to")
    fit.add_argument(
        "--time-column",
        help="the column of time stamps (header name or 1-based number), kept "
        "out of the values",
    )
    fit.add_argument(
        "--train-rows",
        type=int,
        help="fit on the first N rows only (the normal part of the file)",
    )
    fit.add_argument(
        "--window",
        type=int,
        help="window length in time points (default: the series' dominant "
        "period, from the training rows)",
    )
    fit.add_argument(
        "--contamination",
        type=float,
        help="flag this fraction of the training points (default: the "
        "detector's robust rule)",
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fit.set_defaults(handler=_fit)

    score = actions.add_parser(
        "score", help="score every time point with a saved detector"
    )
    score.add_argument("data", help="a CSV file, one row per time point")
    score.add_argument("--load", required=True, help="the saved detector")
    score.add_argument("--time-column", help="as for 'fit'")
    score.add_argument(
        "--output", help="CSV to write, one row per time point (default: none)"
    )
    score.set_defaults(handler=_score)


def _fit(args: argparse.Namespace) -> int:
    from ..timeseries import TimeSeriesOutlierDetector

    check_destination(args.save, "skae series fit")
    values, columns, _ = _read(args.data, args.time_column)
    if args.train_rows is not None:
        if not 2 <= args.train_rows <= len(values):
            raise SystemExit(
                f"skae series fit: --train-rows must be in [2, {len(values)}] for "
                f"{args.data}, got {args.train_rows}."
            )
        values = values[: args.train_rows]
    detector = TimeSeriesOutlierDetector(
        window="auto" if args.window is None else args.window,
        contamination="auto" if args.contamination is None else args.contamination,
        random_state=args.seed,
    )
    try:
        detector.fit(values)
    except ValueError as error:
        raise SystemExit(f"skae series fit: {args.data}: {error}") from None
    with writing(args.save, "skae series fit"):
        _persistence.save({"series_detector": detector, "columns": columns}, args.save)
    print(
        json.dumps(
            {
                "window": detector.windows_.window_,
                "offset": detector.offset_,
                "n_times": len(values),
                "n_features": values.shape[1],
                "saved": str(args.save),
            }
        )
    )
    return 0


def _score(args: argparse.Namespace) -> int:
    from ..timeseries import mask_to_intervals

    if args.output:
        check_destination(args.output, "skae series score")
    try:
        saved = _persistence.load(args.load)
    except (OSError, ValueError) as error:
        raise SystemExit(f"skae series: {error}") from None
    if not (isinstance(saved, dict) and "series_detector" in saved):
        raise SystemExit(
            f"skae series: {args.load} was not written by 'skae series fit'."
        )
    detector = saved["series_detector"]
    values, columns, times = _read(args.data, args.time_column)
    if saved["columns"] is not None and columns is not None:
        if list(columns) != list(saved["columns"]):
            raise SystemExit(
                f"skae series: the value columns of {args.data} "
                f"({', '.join(columns)}) differ from those the detector was "
                f"fitted on ({', '.join(saved['columns'])})."
            )
    try:
        scores = detector.score_samples(values)
    except ValueError as error:
        raise SystemExit(f"skae series score: {args.data}: {error}") from None
    decision = scores - detector.offset_
    anomaly = (decision < 0).astype(np.int64)
    stamps = np.asarray(times) if times is not None else np.arange(len(values))
    if args.output:
        with writing(args.output, "skae series score"):
            write_table(
                args.output,
                [
                    "time" if times is not None else "row",
                    "score",
                    "decision",
                    "anomaly",
                ],
                [stamps, -scores, decision, anomaly],
            )
    intervals = mask_to_intervals(anomaly == 1)
    print(
        json.dumps(
            {
                "n_times": len(values),
                "n_flagged": int(anomaly.sum()),
                "intervals": [
                    [str(stamps[start]), str(stamps[stop - 1])]
                    for start, stop in intervals
                ],
                "output": args.output,
            }
        )
    )
    return 0


def _read(path, time_column):
    try:
        return read_series(path, time_column)
    except (OSError, ValueError) as error:
        raise SystemExit(f"skae series: {error}") from None
