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
        0-based epoch of ``best`` in this call; -1 for the starting weights.
    diverged_epoch : int or None
        0-based epoch in which a loss became NaN or infinite.
    restored_epoch : int or None
        After divergence, the epoch whose weights were put back (None: the
        weights from before the call were). The optimizer's state is put back
        to what it was before the call.
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
        self._epoch = -1
        self._best_weights = None
        # Weights are kept as device copies: no transfer to the host per epoch.
        self._last_finite = (None, snapshot(self.model.weights))
        if self.baseline is not None and math.isfinite(self.baseline):
            self.best, self.best_epoch = self.baseline, -1
            self._best_weights = self._last_finite[1]
        self._optimizer_state = snapshot(self.model.optimizer.variables)

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_epoch = self._epoch + 1
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self._epoch = epoch
        logs = logs or {}
        values = [logs.get("loss"), logs.get(self.monitor)]
        if self.diverged_epoch is not None or not all(
            v is not None and math.isfinite(float(v)) for v in values
        ):
            self.diverged_epoch = epoch
            self.model.stop_training = True
            return
        weights = snapshot(self.model.weights)
        self._last_finite = (epoch, weights)
        current = float(logs[self.monitor])
        # As MLPRegressor: patience counts epochs without a gain of ``tol``, while
        # the best weights follow any gain at all.
        self._wait = 0 if current < self.best - self.tol else self._wait + 1
        if current < self.best:
            self.best = current
            self.best_epoch = epoch
            self._best_weights = weights
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
