"""Give back the graphs that TensorFlow's gradient registry would keep forever.

Keras' TensorFlow optimizer sums gradients through the replica context's
``all_reduce``, even with no distribution strategy. In a traced step that call
is a ``tf.custom_gradient``, which registers a gradient function under a new
name (``CustomGradient-<uid>``) in TensorFlow's process-wide gradient registry.
Nothing ever removes it, and the function's closure holds the step's graph:
every model trained in a process stays in memory (about 8 MB for a small dense
network) after the model itself is gone, ``keras.backend.clear_session()`` or
not (keras-team/keras#17458). A worker that runs a search grows fit after fit.

The registration is only consulted while the step is traced, when Keras takes
the step's gradients; the compiled step never looks it up again. So once a
training block returns, the registrations it added can go, and with them the
graphs of models that are gone. Other backends register nothing.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

import keras

_PREFIX = "CustomGradient-"


def _registry() -> dict | None:
    """TensorFlow's gradient registry (name -> entry), or None off TensorFlow.

    Private to TensorFlow: where a release moves it, nothing is removed.
    """
    if keras.backend.backend() != "tensorflow":
        return None
    ops = sys.modules.get("tensorflow.python.framework.ops")
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def custom_gradient_names() -> set[str]:
    """The custom gradients registered now (empty off TensorFlow)."""
    registry = _registry()
    if registry is None:
        return set()
    return {name for name in list(registry) if name.startswith(_PREFIX)}


_lock = threading.Lock()
_active_blocks = 0
_registered_before: set[str] = set()


@contextlib.contextmanager
def gradient_registrations_released() -> Iterator[None]:
    """Remove the custom gradients registered inside the block when it ends.

    Steps traced inside the block keep working: they were compiled with their
    gradients. A step traced later registers its own. Blocks that overlap (fits
    in several threads) release together, when the last one ends, so that no
    training loses a registration while it is still being traced.
    """
    global _active_blocks, _registered_before
    with _lock:
        if _active_blocks == 0:
            _registered_before = custom_gradient_names()
        _active_blocks += 1
    try:
        yield
    finally:
        with _lock:
            _active_blocks -= 1
            registry = _registry()
            if _active_blocks == 0 and registry is not None:
                for name in custom_gradient_names() - _registered_before:
                    registry.pop(name, None)
