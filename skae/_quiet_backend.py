"""Import Keras (and so its backend) without the backend's start-up log lines.

TensorFlow 2.19 and later print C++ log lines at import (oneDNN, CUDA stubs)
that ``TF_CPP_MIN_LOG_LEVEL`` no longer silences, and a failed CUDA probe at
the first operation on machines without a GPU. Importing this module before
anything else in skae keeps them from users:

- ``TF_CPP_MIN_LOG_LEVEL`` is set to 3 unless the user set it (set it to 0 to
  see TensorFlow's C++ logs again);
- while Keras is first imported, the process's standard error (file
  descriptor 2) points to the null device. Python exceptions are unaffected:
  they are raised after it is restored;
- TensorFlow's "triggered tf.function retracing" warning is dropped: every new
  skae model traces its own training and prediction steps, which is expected,
  and the warning's advice does not apply. Other TensorFlow log records pass.

Nothing is done when Keras is already imported: its lines are out by then.
"""

from __future__ import annotations

import logging
import os
import sys


class _DropRetracingNotices(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def import_keras_quietly() -> None:
    """Import ``keras`` with the backend's C-level start-up output discarded."""
    if "keras" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        import keras  # noqa: F401  (no usable descriptor 2: nothing to hide)

        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


import_keras_quietly()
logging.getLogger("tensorflow").addFilter(_DropRetracingNotices())
