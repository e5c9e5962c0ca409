"""The ``skae`` command line.

``skae demo`` fits a DenseAutoencoder and PCA at the same code sizes on
scikit-learn's digits (bundled, no download) and prints their held-out
reconstruction errors side by side; ``skae demo --out DIR`` also writes an HTML
report with figures of what it did. ``skae detect fit`` and ``skae detect score``
fit an outlier detector on a file of normal data and score other files with it;
``skae series fit`` and ``skae series score`` do the same for long series,
scoring every time point.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ._demo import add_demo_command
from ._detect import add_detect_command
from ._series import add_series_command


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``skae`` command."""
    parser = argparse.ArgumentParser(
        prog="skae", description="scikit-learn-native autoencoders for Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_demo_command(commands)
    add_detect_command(commands)
    add_series_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skae`` command with ``argv`` (default: ``sys.argv[1:]``)."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:
        # The reader went away (``skae detect score ... | head``): stop
        # quietly, and keep Python from failing again as it flushes stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
