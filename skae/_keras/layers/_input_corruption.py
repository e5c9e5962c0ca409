"""InputCorruption: the Keras layer that corrupts inputs in training only."""

from __future__ import annotations

import keras
from keras import ops

NOISES = ("gaussian", "mask", "salt_and_pepper")


@keras.saving.register_keras_serializable(package="skae")
class InputCorruption(keras.layers.Layer):
    """Corrupt the inputs during training; pass them through unchanged otherwise.

    Parameters
    ----------
    noise : {"gaussian", "mask", "salt_and_pepper"}
        ``"gaussian"`` adds normal noise of standard deviation ``level`` and
        clips the result to ``value_range``; ``"mask"`` sets each input to 0
        with probability ``level`` (the masking noise of Vincent et al., 2008;
        0 is the mean of standardised data, and black in images);
        ``"salt_and_pepper"`` sets each input with probability ``level`` to the
        low or the high end of ``value_range``, with equal chance.
    level : float
        Standard deviation (gaussian) or fraction of inputs changed.
    value_range : tuple of two floats or None
        The range of the clean data (the training data's minimum and maximum).
        Gaussian noise is clipped to it; salt-and-pepper noise takes its ends
        (``(0, 1)`` when None).
    seed : int or None
        Seed of the noise; None draws it from Keras' global seed, which skae
        sets from ``random_state``.
    """

    def __init__(self, noise: str, level: float, value_range=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {noise!r}.")
        self.noise = noise
        self.level = float(level)
        self.value_range = (
            None if value_range is None else tuple(float(v) for v in value_range)
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.level == 0:
            return inputs
        if self.noise == "gaussian":
            noise = keras.random.normal(
                ops.shape(inputs), stddev=self.level, seed=self.seed_generator
            )
            corrupted = inputs + ops.cast(noise, inputs.dtype)
            if self.value_range is not None:
                corrupted = ops.clip(corrupted, *self.value_range)
            return corrupted
        draws = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)
        hit = draws < self.level
        if self.noise == "mask":
            return ops.where(hit, ops.zeros_like(inputs), inputs)
        low, high = self.value_range or (0.0, 1.0)
        # Within the hit fraction, the draw is uniform on [0, level): its lower
        # half gets the low value (pepper), its upper half the high one (salt).
        extreme = ops.where(draws < self.level / 2, low, high)
        return ops.where(hit, ops.cast(extreme, inputs.dtype), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "noise": self.noise,
            "level": self.level,
            "value_range": self.value_range,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        # Models saved before skae 0.2 name the Gaussian clipping range "clip".
        config = dict(config)
        clip = config.pop("clip", None)
        config.setdefault("value_range", clip)
        return cls(**config)
