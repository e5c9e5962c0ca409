"""A training loop of one compiled call per epoch, for small in-memory data.

Keras' ``fit`` pays a fixed cost per epoch: TensorFlow builds a new ``tf.data``
iterator for every epoch (about 8 ms, twice per epoch, plus one per
validation), JAX moves the model's state in and out and calls its steps from
Python, and every epoch and batch goes through the callback machinery. On
small data those costs dominate. This loop gives the model the whole epoch at
once, its rows in a new random order (``AutoencoderModel.epoch_batch_size``
makes one compiled step train on consecutive batches of ``batch_size`` rows,
the last one smaller, inside one backend loop), and validates the whole
validation part in one compiled call, with the same epoch semantics as
``fit``: the epoch's loss is the mean over its rows, and callbacks are called
at the same points (the batch hooks once per execution of steps, here an
epoch, as ``fit`` calls them with several steps per execution).

PyTorch is left to ``fit``: its time goes to Keras' eager layer calls, and
the loop measured no faster there.
"""

from __future__ import annotations

import keras
import numpy as np

from ._autoencoder_model import AutoencoderModel
from ._devices import batch_shards, strategy_in_scope

# Data of this many rows or more train through ``fit`` (with XLA on
# TensorFlow), whose per-epoch costs are then small beside the epoch.
MAX_LOOP_SAMPLES = 20_000
# Nor larger data: each epoch makes a copy of the training arrays in the
# epoch's order, which the backend receives whole.
MAX_LOOP_BYTES = 128 * 2**20
# Validation rows evaluated per compiled call.
VALIDATION_BLOCK_ROWS = 4096


def runs_epoch_loop(n_samples: int, n_bytes: int) -> bool:
    """Whether training on ``n_samples`` in-memory rows of ``n_bytes`` in all
    (input and target) goes through this loop.

    Not under a distribution: a TensorFlow strategy cannot aggregate
    gradients inside a loop of the step, and a Keras distribution places
    batches through ``fit``.
    """
    if keras.backend.backend() not in ("tensorflow", "jax"):
        return False
    if strategy_in_scope() or batch_shards() > 1:
        return False
    return 0 < n_samples < MAX_LOOP_SAMPLES and n_bytes <= MAX_LOOP_BYTES


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
    model: AutoencoderModel,
    train: tuple,
    validation: tuple | None,
    *,
    epochs: int,
    initial_epoch: int,
    callbacks: list,
    verbose: int,
    seed: int | None,
) -> keras.callbacks.History:
    """Train ``model`` from epoch ``initial_epoch`` up to ``epochs``, as ``fit`` would.

    Parameters
    ----------
    model : AutoencoderModel
        A model compiled with its ``epoch_batch_size`` set (one step per
        execution).
    train : tuple of ndarray
        The input, and the target if there is one; rows are shuffled each epoch.
    validation : tuple of ndarray or None
        Arrays of the same kind, whose loss is ``val_loss`` after each epoch.
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
    callback_list = keras.callbacks.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=1,
    )
    rng = np.random.default_rng(None if seed is None else [seed, 1])
    model.stop_training = False
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        order = rng.permutation(n_rows)
        callback_list.on_train_batch_begin(0)
        epoch_logs = model.train_epoch(*(a[order] for a in train))
        logs = {"loss": float(epoch_logs["loss"])}
        callback_list.on_train_batch_end(0, logs)
        if validation is not None:
            logs["val_loss"] = mean_loss(model, validation)
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history
