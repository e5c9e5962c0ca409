"""Hide one Keras deprecation warning that a user of skae cannot act on.

Keras 3 turns its variables into NumPy arrays with ``np.array(variable)``
(reading an optimizer's config, saving weights), and its variables'
``__array__`` predates NumPy 2's ``copy`` keyword: NumPy 2.4 answers with a
``DeprecationWarning`` per variable, shown by pytest and ``-W default``.
``copy_keyword_warning_hidden`` ignores exactly that message for the block.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

_MESSAGE = "__array__ implementation doesn't accept a copy keyword"


@contextlib.contextmanager
def copy_keyword_warning_hidden() -> Iterator[None]:
    """Ignore NumPy's warning about ``__array__`` without ``copy`` in the block."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_MESSAGE, category=DeprecationWarning)
        yield
