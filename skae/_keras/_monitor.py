"""The training monitor: early stopping, best weights and the divergence guard."""

from __future__ import annotations

import math

import keras

from ._variables import restore, snapshot


class TrainingMonitor(keras.callbacks.Callback):
    """Early stopping, best-weight restore and divergence guard in one callback.

    Parameters
    ----------
    monitor : str
        The log key watched, ``"val_loss"`` or ``"loss"``.
    patience : int
        Epochs without an improvement of at least ``tol`` before stopping.
    tol : float
        The least decrease of the monitored loss that counts as improvement.
    restore_best : bool
        Whether to end with the weights of the best epoch.
    baseline : float or None, default=None
        The monitored loss of the weights at the start, when known: an epoch
        must beat it to count as best, and if none does the starting weights
        are restored (``best_epoch`` is then -1).

    Attributes
    ----------
    best : float
        The best monitored value seen (inf if none was finite).
    best_epoch : int or None
        0-based epoch of ``best``, counted as ``fit`` counts them (from
        ``initial_epoch``); -1 for the starting weights.
    diverged_epoch : int or None
        0-based epoch in which a loss became NaN or infinite.
    restored_epoch : int or None
        After divergence, the epoch whose weights were put back (None: the
        weights from before the call were). The optimizer's state is put back
        to what it was before the call.

    Notes
    -----
    Weights are copied on the backend's device, and only when needed: the
    best weights when an epoch improves on ``best`` (with ``restore_best``),
    else, for the divergence guard, the weights at the start of each
    compiled call that begins an epoch (``on_train_batch_begin`` with batch
    0): those of the last epoch, which finished finite or training would
    have stopped. (The epoch loop runs the epochs of a call of several
    again one call each when one of them diverges, so this holds there too.)
    """

    def __init__(
        self,
        monitor: str,
        patience: int,
        tol: float,
        restore_best: bool,
        baseline: float | None = None,
    ):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.tol = tol
        self.restore_best = restore_best
        self.baseline = baseline

    def on_train_begin(self, logs=None):
        self.best = math.inf
        self.best_epoch = None
        self.diverged_epoch = None
        self.restored_epoch = None
        self._wait = 0
        self._epoch = None
        self._last_epoch = None
        self._best_weights = None
        self._last_finite = (None, snapshot(self.model.weights))
        if self.baseline is not None and math.isfinite(self.baseline):
            self.best, self.best_epoch = self.baseline, -1
            self._best_weights = self._last_finite[1]
        self._optimizer_state = snapshot(self.model.optimizer.variables)

    def epochs_before_stop(self) -> int | float:
        """The most epochs that can run before this monitor needs to act
        between two of them: 1 when it keeps the best weights, else the
        epochs until the stop on ``patience`` could first trigger."""
        if self.restore_best:
            return 1
        return max(self.patience - self._wait, 1)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0 and not self.restore_best and self._last_epoch is not None:
            if self._last_finite[0] != self._last_epoch:
                self._last_finite = (self._last_epoch, snapshot(self.model.weights))

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_epoch = self._epoch
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        values = [logs.get("loss"), logs.get(self.monitor)]
        if self.diverged_epoch is not None or not all(
            v is not None and math.isfinite(float(v)) for v in values
        ):
            self.diverged_epoch = epoch
            self.model.stop_training = True
            return
        self._last_epoch = epoch
        current = float(logs[self.monitor])
        # As MLPRegressor: patience counts epochs without a gain of ``tol``, while
        # the best weights follow any gain at all.
        self._wait = 0 if current < self.best - self.tol else self._wait + 1
        if current < self.best:
            self.best = current
            self.best_epoch = epoch
            if self.restore_best:
                self._best_weights = snapshot(self.model.weights)
        if self._wait >= self.patience:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.diverged_epoch is not None:
            # The optimizer's moments may hold NaN now: take back its state
            # from the start of the call, so that training can go on.
            variables = self.model.optimizer.variables
            if len(variables) == len(self._optimizer_state):
                restore(variables, self._optimizer_state)
            if self.restore_best and self._best_weights is not None:
                self.restored_epoch = self.best_epoch
                restore(self.model.weights, self._best_weights)
            else:
                self.restored_epoch, weights = self._last_finite
                restore(self.model.weights, weights)
        elif self.restore_best and self._best_weights is not None:
            restore(self.model.weights, self._best_weights)
