"""``skae detect``: the anomaly-thresholding script as a command.

``skae detect fit NORMAL --save DETECTOR`` fits a
:class:`~skae.ReconstructionOutlierDetector` on a file of normal data and
saves it; ``skae detect score DATA --load DETECTOR --output SCORES.csv`` scores
another file with it and writes one row per sample: the reconstruction error,
the decision value (negative for outliers) and the flag (1 = outlier). Both
print the threshold.
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile

import numpy as np

from .. import _persistence
from ._help import command_description
from ._output import check_destination, writing
from ._table_io import read_table_excluding, write_table


def add_detect_command(commands) -> None:
    """Add ``detect fit`` and ``detect score`` to the ``skae`` sub-commands."""
    detect = commands.add_parser(
        "detect",
        help="anomaly detection by reconstruction error: fit, threshold, score",
        description=command_description(__doc__),
    )
    actions = detect.add_subparsers(dest="action", required=True)

    fit = actions.add_parser(
        "fit", help="fit a detector on normal data (CSV or .npy) and save it"
    )
    fit.add_argument("data", help="normal data: a CSV file or a .npy array")
    fit.add_argument(
        "--save",
        required=True,
        help="file to write the detector to (a skae archive, no pickle; "
        "'.skae' is a good suffix)",
    )
    fit.add_argument(
        "--estimator",
        choices=["autoencoder", "pca"],
        default="autoencoder",
        help="the model inside (default: the default autoencoder)",
    )
    fit.add_argument(
        "--n-components",
        type=int,
        help="code size (default for the autoencoder: from the number of "
        "features; required for pca)",
    )
    group = fit.add_mutually_exclusive_group()
    group.add_argument(
        "--contamination",
        type=float,
        help="expected fraction of outliers in the data; flags that fraction",
    )
    group.add_argument(
        "--threshold",
        type=float,
        help="an explicit threshold on the reconstruction error",
    )
    fit.add_argument(
        "--mad-k",
        type=float,
        default=3.0,
        help="robust rule (the default): median + K robust standard deviations "
        "of the training errors (default 3)",
    )
    fit.add_argument(
        "--validation",
        help="clean (normal) data not used in fitting: set the threshold so "
        "that at most --max-fpr of it is flagged",
    )
    fit.add_argument(
        "--max-fpr",
        type=float,
        default=0.01,
        help="with --validation: the false-positive rate accepted (default 0.01)",
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fit.add_argument(
        "--exclude",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="columns of the CSV header that are not features (identifiers, "
        "time stamps, labels): left out here, and by 'detect score', which "
        "copies them into its output",
    )
    fit.set_defaults(handler=_fit)

    score = actions.add_parser(
        "score", help="score data with a saved detector; write a CSV of flags"
    )
    score.add_argument("data", help="data to score: a CSV file or a .npy array")
    score.add_argument("--load", required=True, help="the saved detector")
    score.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also read detectors that skae 0.1 saved with joblib (pickle: "
        "only for files you trust)",
    )
    score.add_argument(
        "--output", help="CSV to write (default: print the flagged rows)"
    )
    score.add_argument(
        "--per-feature",
        action="store_true",
        help="also write the reconstruction error of every feature and, for "
        "detectors with the marginal part, the rarity of every value (which "
        "features made a sample anomalous)",
    )
    score.add_argument(
        "--exclude",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="more columns that are not features, besides those excluded at "
        "fit; all are copied into the output after 'row'",
    )
    score.set_defaults(handler=_score)


def _fit(args: argparse.Namespace) -> int:
    from sklearn.decomposition import PCA

    from ..outlier import ReconstructionOutlierDetector, default_autoencoder

    check_destination(args.save, "skae detect fit")
    X, columns, _ = _read(args.data, "fit", args.exclude)
    if args.validation:  # every file is checked before the fit
        # The columns excluded from the training file, where it has them.
        X_valid, valid_columns, _ = _read(
            args.validation, "fit", exclude_if_present=args.exclude
        )
        _check_columns(columns, valid_columns, X_valid, X.shape[1], args.validation)
    if args.estimator == "pca":
        if args.n_components is None:
            raise SystemExit("skae detect fit: --estimator pca needs --n-components.")
        estimator = PCA(args.n_components, random_state=args.seed)
    else:
        estimator = default_autoencoder(X.shape[1], args.seed)
        if args.n_components is not None:
            estimator.set_params(n_components=args.n_components)
    detector = ReconstructionOutlierDetector(
        estimator,
        contamination="auto" if args.contamination is None else args.contamination,
        threshold="auto" if args.threshold is None else args.threshold,
        mad_k=args.mad_k,
        random_state=args.seed,
    )
    try:
        detector.fit(X)
    except ValueError as error:
        raise SystemExit(f"skae detect fit: {args.data}: {_one_line(error)}") from None
    if args.validation:
        try:
            detector.set_threshold(X_valid, max_fpr=args.max_fpr)
        except ValueError as error:
            raise SystemExit(f"skae detect fit: {_one_line(error)}") from None
    with writing(args.save, "skae detect fit"):
        saved = {"detector": detector, "columns": columns, "excluded": args.exclude}
        _persistence.save(saved, args.save)
    flagged = int((detector.predict(X) == -1).sum())
    print(
        json.dumps(
            {
                "threshold": detector.threshold_,
                "rule": detector.threshold_rule_,
                "n_samples": len(X),
                "n_flagged_in_training": flagged,
                "saved": str(args.save),
            }
        )
    )
    return 0


def _score(args: argparse.Namespace) -> int:
    from ..outlier import has_marginal_part

    if args.output:
        check_destination(args.output, "skae detect score")
    saved = _load_saved(args.load, allow_pickle=args.allow_pickle)
    if not (isinstance(saved, dict) and "detector" in saved):
        raise SystemExit(
            f"skae detect: {args.load} was not written by 'skae detect fit'."
        )
    detector = saved["detector"]
    X, columns, excluded = _read(
        args.data, "score", args.exclude, saved.get("excluded", [])
    )
    _check_columns(saved["columns"], columns, X, detector.n_features_in_, args.data)
    try:
        errors = detector.anomaly_score(X)
    except ValueError as error:
        raise SystemExit(
            f"skae detect score: {args.data}: {_one_line(error)}"
        ) from None
    decision = detector.threshold_ - errors
    outlier = (decision < 0).astype(np.int64)
    names = ["row", *excluded, "error", "decision", "outlier"]
    values = [np.arange(len(X)), *map(np.asarray, excluded.values())]
    values += [errors, decision, outlier]
    if args.per_feature:
        per_feature = detector.reconstruction_error(X, per_feature=True)
        feature_names = columns or [f"x{j}" for j in range(X.shape[1])]
        names += [f"error_{name}" for name in feature_names]
        values += list(per_feature.T)
        if has_marginal_part(detector):
            names += [f"rarity_{name}" for name in feature_names]
            values += list(detector.feature_rarity(X).T)
    if args.output:
        with writing(args.output, "skae detect score"):
            write_table(args.output, names, values)
    else:
        for i in np.flatnonzero(outlier):
            ids = ", ".join(f"{name}={cells[i]}" for name, cells in excluded.items())
            print(f"row {i}{f' ({ids})' if ids else ''}: error {errors[i]:.6g}")
    print(
        json.dumps(
            {
                "threshold": detector.threshold_,
                "rule": detector.threshold_rule_,
                "n_samples": len(X),
                "n_flagged": int(outlier.sum()),
                "output": args.output,
            }
        )
    )
    return 0


def _load_saved(path, *, allow_pickle: bool):
    """Read what ``skae detect fit`` saved: a skae archive, or joblib if allowed."""
    if zipfile.is_zipfile(path) or not allow_pickle:
        try:
            return _persistence.load(path)
        except (OSError, ValueError) as error:
            hint = (
                ""
                if zipfile.is_zipfile(path)
                else " (a joblib file of skae 0.1 loads with --allow-pickle, "
                "for files you trust)"
            )
            raise SystemExit(f"skae detect: {error}{hint}") from None
    import joblib

    try:
        return joblib.load(path)
    except Exception as error:  # noqa: BLE001 (any unreadable file: one line)
        raise SystemExit(
            f"skae detect: cannot read {path} with joblib: {_one_line(error)}"
        ) from None


def _one_line(error: Exception) -> str:
    """The first line of an error's message (scikit-learn's run on)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _read(path, action: str, exclude=(), exclude_if_present=()):
    """Read a table without the excluded columns (and return those); a file
    that cannot be read ends the command with one line."""
    try:
        return read_table_excluding(path, exclude, exclude_if_present)
    except (OSError, ValueError) as error:
        message = _one_line(error)
        # Text in the first data row under a header: an identifier or a
        # label column, most likely, rather than one bad cell.
        column = re.search(r", line 2, column '([^']*)': .* is not a number", message)
        if column:
            message = (
                f"{message.rstrip('.')}; if it is not a feature, leave it out "
                f"with --exclude {column.group(1)}."
            )
        raise SystemExit(f"skae detect {action}: {message}") from None


def _check_columns(expected, found, X, n_features: int, path) -> None:
    """End the command if ``path``'s columns are not those the detector knows."""
    if expected is not None and found is not None and list(found) != list(expected):
        missing = [repr(c) for c in expected if c not in found]
        extra = [repr(c) for c in found if c not in expected]
        if missing or extra:
            parts = [
                f"missing {', '.join(missing)}" if missing else "",
                f"not fitted on {', '.join(extra)}" if extra else "",
            ]
            detail = "; ".join(p for p in parts if p)
        elif sorted(found) == sorted(expected):
            detail = f"same names in another order, expected {_names(expected)}"
        else:
            detail = f"expected {_names(expected)}, found {_names(found)}"
        raise SystemExit(
            f"skae detect: the columns of {path} differ from those the detector "
            f"was fitted on: {detail}."
        )
    if X.shape[1] != n_features:
        raise SystemExit(
            f"skae detect: {path} has {X.shape[1]} columns; the detector was "
            f"fitted on {n_features}."
        )


def _names(columns) -> str:
    return ", ".join(repr(c) for c in columns)
