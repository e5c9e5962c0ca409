"""CosineDecay: a learning rate that follows a half cosine over the epoch budget."""

from __future__ import annotations

import math

import keras

# The rate reached in the last epoch, as a fraction of the starting rate.
FINAL_FRACTION = 0.01


def cosine_factor(progress: float) -> float:
    """Return the schedule's factor at ``progress`` in [0, 1]: 1 down to the floor."""
    return FINAL_FRACTION + (1 - FINAL_FRACTION) * 0.5 * (
        1 + math.cos(math.pi * progress)
    )


class CosineDecay(keras.callbacks.Callback):
    """Decay the optimizer's learning rate along a half cosine over ``epochs``.

    The first epoch runs at the rate the optimizer has; the last at
    ``FINAL_FRACTION`` of it. The rate is scaled by the ratio of successive
    factors rather than set, so changes made by other callbacks (or a
    restoration after a divergence) carry on, scaled.

    Parameters
    ----------
    epochs : int
        The epoch budget of this call of ``fit``.
    initial_epoch : int
        The index of its first epoch (``model.fit``'s ``initial_epoch``).
    """

    def __init__(self, epochs: int, initial_epoch: int = 0):
        super().__init__()
        self.epochs = epochs
        self.initial_epoch = initial_epoch

    def _factor(self, epoch: int) -> float:
        step = epoch - self.initial_epoch
        return cosine_factor(min(step / max(self.epochs - 1, 1), 1.0))

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.initial_epoch:
            return
        ratio = self._factor(epoch) / self._factor(epoch - 1)
        rate = self.model.optimizer.learning_rate
        rate.assign(float(keras.ops.convert_to_numpy(rate)) * ratio)
