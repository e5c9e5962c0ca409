"""Where the commands write, checked before they fit or score anything."""

from __future__ import annotations

import os
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
