"""A training loop of single compiled steps, for data whose epochs are short.

Keras' ``fit`` pays a fixed cost per epoch: TensorFlow builds a new ``tf.data``
iterator for every epoch (about 8 ms, twice per epoch, plus one per
validation), and every epoch goes through the callback machinery. On small
data those costs dominate: 200 epochs of a 64-32-8-32-64 network on the 1 347
training digits spent 3.1 of 5 seconds making iterators. This loop feeds the
compiled training step batch by batch (``train_on_batch``) and validates the
whole validation part in one compiled call, with the same epoch semantics as
``fit``: a new random order every epoch, batches of ``batch_size`` rows (the
last one smaller), the epoch's loss the mean over its rows, and callbacks
called at the same points.

JAX is left to ``fit``: it runs several steps per compiled call at a cost per
epoch that is already small, while its ``train_on_batch`` moves the model's
state in and out of the step on every call. PyTorch too: its time goes to
Keras' eager layer calls, and the loop measured no faster there.
"""

from __future__ import annotations

import math

import keras
import numpy as np

# The loop pays while an epoch has at most this many batches: a step of
# ``train_on_batch`` costs about twice a step of Keras' multi-step loop, whose
# per-epoch cost is worth about 35 such steps on TensorFlow.
MAX_LOOP_STEPS = 32
# Data of this many rows or more train with XLA on TensorFlow, through ``fit``.
MAX_LOOP_SAMPLES = 20_000
# Validation rows evaluated per compiled call.
VALIDATION_BLOCK_ROWS = 4096


def _rows_per_step(batch_size: int, n_rows: int) -> int:
    """The batch size ``fit`` uses on ``n_rows``: at most the data, at least 1."""
    return max(min(batch_size, n_rows), 1)


def runs_epoch_loop(n_samples: int, batch_size: int) -> bool:
    """Whether training on ``n_samples`` in-memory rows goes through this loop."""
    if keras.backend.backend() != "tensorflow":
        return False
    steps = math.ceil(n_samples / _rows_per_step(batch_size, n_samples))
    return 0 < n_samples < MAX_LOOP_SAMPLES and steps <= MAX_LOOP_STEPS


def mean_loss(model: keras.Model, arrays: tuple) -> float:
    """The compiled loss of ``model`` over ``arrays``, in blocks, weighted by rows."""
    n_rows = len(arrays[0])
    total = 0.0
    for start in range(0, n_rows, VALIDATION_BLOCK_ROWS):
        block = [a[start : start + VALIDATION_BLOCK_ROWS] for a in arrays]
        logs = model.test_on_batch(*block, return_dict=True)
        total += float(logs["loss"]) * len(block[0])
    return total / n_rows


def train_epochs(
    model: keras.Model,
    train: tuple,
    validation: tuple | None,
    *,
    batch_size: int,
    epochs: int,
    initial_epoch: int,
    callbacks: list,
    verbose: int,
    seed: int | None,
) -> keras.callbacks.History:
    """Train ``model`` from epoch ``initial_epoch`` up to ``epochs``, as ``fit`` would.

    Parameters
    ----------
    model : keras.Model
        A compiled model (one step per execution).
    train : tuple of ndarray
        The input, and the target if there is one; rows are shuffled each epoch.
    validation : tuple of ndarray or None
        Arrays of the same kind, whose loss is ``val_loss`` after each epoch.
    batch_size : int
        Rows per step.
    epochs, initial_epoch : int
        As in ``keras.Model.fit``.
    callbacks : list of keras.callbacks.Callback
        Called as ``fit`` calls them.
    verbose : int
        0 silent; otherwise Keras' progress bar.
    seed : int or None
        Seed of the shuffling order (a stream of its own, apart from other
        uses of the same seed).

    Returns
    -------
    history : keras.callbacks.History
        The per-epoch logs, as ``fit`` returns them.
    """
    n_rows = len(train[0])
    batch_size = _rows_per_step(batch_size, n_rows)
    callback_list = keras.callbacks.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=math.ceil(n_rows / batch_size),
    )
    rng = np.random.default_rng(None if seed is None else [seed, 1])
    model.stop_training = False
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        order = rng.permutation(n_rows)
        total, seen = 0.0, 0
        for step, start in enumerate(range(0, n_rows, batch_size)):
            rows = order[start : start + batch_size]
            callback_list.on_train_batch_begin(step)
            batch = [a[rows] for a in train]
            batch_logs = model.train_on_batch(*batch, return_dict=True)
            total += float(batch_logs["loss"]) * len(rows)
            seen += len(rows)
            callback_list.on_train_batch_end(step, {"loss": total / seen})
            if model.stop_training:
                break
        logs = {"loss": total / seen}
        if validation is not None:
            logs["val_loss"] = mean_loss(model, validation)
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history
