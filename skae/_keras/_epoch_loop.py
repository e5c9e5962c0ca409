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

On TensorFlow a compiled call costs about 0.6 ms beyond its work, a
quarter of an epoch of a small network. When nothing looks between epochs,
one call runs several (``epochs_per_call``, see ``multi_epoch_calls``),
never past the earliest epoch at which a callback could stop training, so
that the result is that of one call per epoch.

On PyTorch nothing is compiled: the loop over batches runs in Python, and
saves ``fit``'s data loader and per-batch callback work (with the direct
layer calls of ``_direct_calls.py``, a step of a small network costs about
half of what it cost through ``fit``).
"""

from __future__ import annotations

import keras
import numpy as np

from ._autoencoder_model import AutoencoderModel
from ._devices import batch_shards, strategy_in_scope
from ._variables import restore, snapshot

# Data of this many rows or more train through ``fit`` (with XLA on
# TensorFlow), whose per-epoch costs are then small beside the epoch.
MAX_LOOP_SAMPLES = 20_000
# Nor larger data: each epoch makes a copy of the training arrays in the
# epoch's order, which the backend receives whole.
MAX_LOOP_BYTES = 128 * 2**20
# Validation rows evaluated per compiled call.
VALIDATION_BLOCK_ROWS = 4096
# Epochs per compiled call at most, where several may run in one.
MAX_EPOCHS_PER_CALL = 10


def runs_epoch_loop(n_samples: int, n_bytes: int) -> bool:
    """Whether training on ``n_samples`` in-memory rows of ``n_bytes`` in all
    (input and target) goes through this loop.

    Not under a distribution: a TensorFlow strategy cannot aggregate
    gradients inside a loop of the step, and a Keras distribution places
    batches through ``fit``.
    """
    if strategy_in_scope() or batch_shards() > 1:
        return False
    return 0 < n_samples < MAX_LOOP_SAMPLES and n_bytes <= MAX_LOOP_BYTES


def multi_epoch_calls(epoch_bytes: int, patience: float) -> int:
    """How many epochs one compiled call may run: several on TensorFlow (up
    to ``MAX_EPOCHS_PER_CALL``, no more than ``patience`` epochs and than
    ``MAX_LOOP_BYTES`` of rows in all, ``epoch_bytes`` per epoch), else 1.

    For the caller to use only when nothing needs to act between epochs but
    a stop on the training loss after ``patience`` epochs without gain: no
    validation, callbacks or progress bar, a constant learning rate.
    """
    if keras.backend.backend() != "tensorflow":
        return 1
    by_memory = MAX_LOOP_BYTES // max(epoch_bytes, 1)
    return int(max(1, min(MAX_EPOCHS_PER_CALL, patience, by_memory)))


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
    epochs_per_call: int = 1,
    epochs_before_stop=None,
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
    epochs_per_call : int, default=1
        Epochs one compiled call runs when ``epochs_before_stop`` allows as
        many (from ``multi_epoch_calls``). The calls of several epochs give
        the callbacks each epoch's ``on_epoch_begin``, ``on_train_batch_end``
        and ``on_epoch_end`` after the call, and ``on_train_batch_begin``
        once, before it: only for callbacks that read nothing but the logs
        between epochs (the training monitor without validation).
    epochs_before_stop : callable or None
        Returns how many epochs may run before a callback may need to stop
        training (``TrainingMonitor.epochs_before_stop``); None: one.

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
    epoch = initial_epoch
    while epoch < epochs and not model.stop_training:
        n_epochs = epochs_per_call
        if n_epochs > 1 and (
            epochs - epoch < n_epochs
            or epochs_before_stop is None
            or epochs_before_stop() < n_epochs
        ):
            n_epochs = 1
        # Each epoch's order is drawn as in a call per epoch.
        orders = [rng.permutation(n_rows) for _ in range(n_epochs)]
        if n_epochs > 1:
            losses = _several_epochs(model, train, orders, callback_list, epoch)
            if losses is not None:
                for offset, loss in enumerate(losses):
                    if offset:
                        callback_list.on_epoch_begin(epoch + offset)
                    logs = {"loss": float(loss)}
                    callback_list.on_train_batch_end(0, logs)
                    callback_list.on_epoch_end(epoch + offset, logs)
                epoch += n_epochs
                continue
        for order in orders:
            callback_list.on_epoch_begin(epoch)
            callback_list.on_train_batch_begin(0)
            epoch_logs = model.train_epoch(*(a[order] for a in train))
            logs = {"loss": float(epoch_logs["loss"])}
            callback_list.on_train_batch_end(0, logs)
            if validation is not None:
                logs["val_loss"] = mean_loss(model, validation)
            callback_list.on_epoch_end(epoch, logs)
            epoch += 1
            if model.stop_training:
                break
    callback_list.on_train_end(logs)
    return model.history


def _several_epochs(model, train, orders, callback_list, epoch) -> list | None:
    """Run the epochs of ``orders`` in one call; return their losses, or
    None, with the model's state (weights, seed generators, optimizer) put
    back as it was before the call, if one of them is not finite: the caller
    then runs them again one call each, so that the epoch that diverged is
    found, and the guard's weights kept, exactly as without grouping."""
    callback_list.on_epoch_begin(epoch)
    callback_list.on_train_batch_begin(0)
    variables = [*model.variables, *model.optimizer.variables]
    state = snapshot(variables)
    order = np.concatenate(orders)
    logs = model.train_epochs(*(a[order] for a in train), n_epochs=len(orders))
    losses = np.asarray(logs["epoch_losses"], dtype=np.float64)
    if np.all(np.isfinite(losses)):
        return list(losses)
    restore(variables, state)
    return None
