"""Keras' first import, whoever makes it, without the backend's start-up lines.

TensorFlow 2.19 and later print C++ log lines at import (oneDNN, CUDA stubs)
that ``TF_CPP_MIN_LOG_LEVEL`` no longer silences, and a failed CUDA probe at
the first operation on machines without a GPU. Importing this module (``import
skae`` does, first) keeps them from users without importing Keras itself:

- ``TF_CPP_MIN_LOG_LEVEL`` is set to 3 unless the user set it (set it to 0 to
  see TensorFlow's C++ logs again);
- an import hook goes in front of ``sys.meta_path``: when ``keras`` or
  ``tensorflow`` is first imported, by skae or by anyone, the process's
  standard error (file descriptor 2) points to the null device while the
  package runs, if no other thread is running (whose output would be lost
  too). Python exceptions are unaffected: they are raised after it is
  restored. The package keeps its own loader, and the hook removes itself
  once both are imported; a mere ``importlib.util.find_spec`` leaves it;
- TensorFlow's "triggered tf.function retracing" warning is dropped: every new
  skae model traces its own training and prediction steps, which is expected,
  and the warning's advice does not apply. Other TensorFlow log records pass.

Nothing is hidden when Keras is already imported: its lines are out by then.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import threading


class _DropRetracingNotices(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def _standard_error_discarded():
    """Point file descriptor 2 at the null device inside the block."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield  # no usable descriptor 2: nothing to hide
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


# Packages whose first import prints start-up lines: Keras (which imports its
# backend) and TensorFlow imported on its own.
_NOISY_PACKAGES = ("keras", "tensorflow")


class _QuietLoader(importlib.abc.Loader):
    """A noisy package's own loader, run with standard error discarded."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        # Other threads' output would be lost too: only hide when alone.
        quiet = threading.active_count() == 1
        try:
            with _standard_error_discarded() if quiet else contextlib.nullcontext():
                self.loader.exec_module(module)
        finally:
            # The package keeps its own loader (resources, source, reload).
            module.__loader__ = self.loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self.loader
            if all(name in sys.modules for name in _NOISY_PACKAGES):
                _remove_hook()


class _QuietKerasFinder(importlib.abc.MetaPathFinder):
    """Finds a noisy package with the other finders and wraps its loader."""

    def __init__(self):
        self._finding = False

    def find_spec(self, fullname, path, target=None):
        if fullname not in _NOISY_PACKAGES or self._finding:
            return None
        self._finding = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding = False
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def _remove_hook() -> None:
    sys.meta_path[:] = [
        f for f in sys.meta_path if not isinstance(f, _QuietKerasFinder)
    ]


def install() -> None:
    """Make the first import of Keras and TensorFlow quiet, unless done already."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").addFilter(_DropRetracingNotices())
    _remove_hook()
    if not all(name in sys.modules for name in _NOISY_PACKAGES):
        sys.meta_path.insert(0, _QuietKerasFinder())


install()
