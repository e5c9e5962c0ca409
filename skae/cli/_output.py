"""Where the commands write: checked before they fit or score anything, and
the errors of writing itself, each as one line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def check_destination(path: str | os.PathLike, command: str) -> None:
    """Stop with a one-line message naming ``path`` if no file can be written
    there: its folder does not exist, or is not a folder, or ``path`` is a
    folder. ``command`` (e.g. ``"skae detect fit"``) starts the message.

    Run before the work, so that a long fit does not end in an error about
    the output.
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise SystemExit(f"{command}: cannot write {path}: it is a folder.")
    if not folder.exists():
        raise SystemExit(
            f"{command}: cannot write {path}: the folder {folder} does not exist."
        )
    if not folder.is_dir():
        raise SystemExit(f"{command}: cannot write {path}: {folder} is not a folder.")


def prepare_folder(folder: str | os.PathLike, command: str) -> None:
    """Create ``folder`` (and its parents) for the outputs, or stop with a
    one-line message naming it. Run before the work, as
    :func:`check_destination`."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SystemExit(f"{command}: cannot write into {folder}: {reason}.") from None


@contextmanager
def writing(path: str | os.PathLike, command: str) -> Iterator[None]:
    """Turn an ``OSError`` raised while writing ``path`` (a full disk, no
    permission) into the one line ``"<command>: cannot write <path>: ..."``."""
    try:
        yield
    except OSError as error:
        raise SystemExit(f"{command}: cannot write {path}: {error}") from None
