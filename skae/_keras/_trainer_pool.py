"""Compiled copies of networks, kept so that later models of the same structure
train without tracing their steps again.

Each new Keras model traces and compiles its own training and test steps on
TensorFlow and JAX: about half a second for a small dense autoencoder, often
more than the epochs themselves on small data. A search or a cross-validation
fits many models of one structure. A **trainer** is a compiled copy of such a
network: an estimator's model lends it its state (weights, seed states and
optimizer variables, copied on the device), the trainer runs the epochs with
steps compiled once, and the state goes back. The trace is paid by the first
fit of a structure in a process, not by every fit.

Two models share a trainer only if every setting that a compiled step could
hold as a constant is the same: the model's config (every layer's settings
and names, the corruption's value range included), the loss, the optimizer's
kind and settings (not its learning rate, a variable that travels with the
state), the compile options, the batch size of the epoch step and the number
of rows per epoch.
"""

from __future__ import annotations

import collections
import contextlib
import json
import threading
from collections.abc import Iterator

import keras

from ._compile import compile_model
from ._lazy_tensorflow import tensorflow_left_unimported
from ._variables import restore

# Trainers kept at most, least recently used dropped first.
MAX_TRAINERS = 8

_lock = threading.Lock()
# key -> trainers not in use; most recently returned keys last.
_idle: collections.OrderedDict[tuple, list[keras.Model]] = collections.OrderedDict()


def _structure_key(model: keras.Model, loss, n_rows: int, xla: bool) -> tuple | None:
    """The settings a compiled step of ``model`` may depend on, or None when
    they cannot be told apart reliably (a loss that is neither a name nor a
    module-level function) or nothing is compiled (PyTorch)."""
    if not (isinstance(loss, str) or getattr(loss, "__qualname__", "<").isidentifier()):
        return None
    if keras.backend.backend() == "torch":
        return None  # eager steps: nothing compiled that a trainer could keep
    optimizer = model.optimizer
    with tensorflow_left_unimported():
        settings = _without_rates(optimizer.get_config())
        network = json.dumps(model.get_config(), sort_keys=True, default=repr)
    return (
        keras.backend.backend(),
        network,
        loss,
        type(optimizer),
        json.dumps(settings, sort_keys=True, default=repr),
        xla,
        model.epoch_batch_size,
        n_rows,
    )


def _without_rates(config):
    """An optimizer's config without its learning rates and names, at every
    depth (a LossScaleOptimizer holds its inner optimizer's config)."""
    if isinstance(config, dict):
        return {
            k: _without_rates(v)
            for k, v in config.items()
            if k not in ("learning_rate", "name")
        }
    return config


def _copy_state(source: keras.Model, target: keras.Model) -> None:
    """Assign ``source``'s variables and optimizer variables to ``target``'s."""
    restore(target.variables, [v.value for v in source.variables])
    restore(target.optimizer.variables, [v.value for v in source.optimizer.variables])


def _new_trainer(model: keras.Model, loss, xla: bool) -> keras.Model:
    """A copy of ``model`` compiled with ``xla``, with an optimizer of the
    same kind."""
    with tensorflow_left_unimported():
        trainer = type(model).from_config(model.get_config())
        optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
    # The model's other compile options. The optimizer is already of the
    # model's kind, loss-scaled or not, whatever the global policy is now.
    compile_model(
        trainer,
        optimizer,
        loss,
        0,  # unused: the XLA choice is given
        epoch_batch_size=model.epoch_batch_size,
        xla=xla,
        auto_scale_loss=False,
    )
    trainer.optimizer.build(trainer.trainable_variables)
    return trainer


def _take(key: tuple) -> keras.Model | None:
    with _lock:
        trainers = _idle.get(key)
        if not trainers:
            return None
        trainer = trainers.pop()
        if not trainers:
            del _idle[key]
        return trainer


def _give_back(key: tuple, trainer: keras.Model) -> None:
    with _lock:
        _idle.setdefault(key, []).append(trainer)
        _idle.move_to_end(key)
        while sum(len(t) for t in _idle.values()) > MAX_TRAINERS:
            oldest = next(iter(_idle))
            _idle[oldest].pop(0)
            if not _idle[oldest]:
                del _idle[oldest]


def idle_trainer_count() -> int:
    """How many trainers the pool holds now (for tests and diagnostics)."""
    with _lock:
        return sum(len(t) for t in _idle.values())


def clear() -> None:
    """Drop every trainer (their compiled steps go with them)."""
    with _lock:
        _idle.clear()


@contextlib.contextmanager
def trainer_for(
    model: keras.Model, loss, n_rows: int, *, xla: bool | None = None
) -> Iterator[keras.Model]:
    """Lend ``model``'s state to a trainer of its structure for the block.

    ``model`` must be compiled (``compile_model``) with its optimizer built.
    The trainer compiles with ``xla`` (None: as ``model`` is compiled), which
    may differ from ``model``'s: the estimator's model rests without it.
    The block trains the trainer it receives; when it ends, normally or not,
    the trainer's state is copied back to ``model`` and the trainer returns
    to the pool. Where no key can be made, the block receives ``model``
    itself.
    """
    xla = model.jit_compile if xla is None else xla
    key = _structure_key(model, loss, n_rows, xla)
    if key is None:
        yield model
        return
    trainer = _take(key) or _new_trainer(model, loss, xla)
    _copy_state(model, trainer)
    try:
        yield trainer
    finally:
        _copy_state(trainer, model)
        _give_back(key, trainer)


__all__ = ["MAX_TRAINERS", "clear", "idle_trainer_count", "trainer_for"]
