"""All or nothing: an object's attributes put back when an operation fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def restored_on_failure(obj) -> Iterator[None]:
    """Put back ``obj``'s attributes as they were if the block raises.

    A shallow snapshot of ``vars(obj)``: attributes that are rebound are
    restored; objects changed in place are not (code under the block replaces
    what it changes rather than mutating it).
    """
    before = dict(vars(obj))
    try:
        yield
    except BaseException:
        vars(obj).clear()
        vars(obj).update(before)
        raise
