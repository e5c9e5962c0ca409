"""Input corruption for denoising autoencoders: a Keras layer, active in training."""

from __future__ import annotations

import keras
from keras import ops

NOISES = ("gaussian", "mask")


@keras.saving.register_keras_serializable(package="skae")
class InputCorruption(keras.layers.Layer):
    """Corrupt the inputs during training; pass them through unchanged otherwise.

    Parameters
    ----------
    noise : {"gaussian", "mask"}
        ``"gaussian"`` adds normal noise of standard deviation ``level``;
        ``"mask"`` sets each input to 0 with probability ``level`` (the
        masking noise of Vincent et al., 2008; 0 is the mean of standardised
        data, and black in images).
    level : float
        Standard deviation (gaussian) or fraction of inputs masked (mask).
    clip : tuple of float or None
        Clip the corrupted inputs to this range (the seed tutorial keeps noisy
        images in [0, 1]).
    seed : int or None
        Seed of the noise; None draws it from Keras' global seed, which skae
        sets from ``random_state``.
    """

    def __init__(self, noise: str, level: float, clip=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {noise!r}.")
        self.noise = noise
        self.level = float(level)
        self.clip = None if clip is None else tuple(float(c) for c in clip)
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
        else:
            draws = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)
            corrupted = ops.where(draws < self.level, ops.zeros_like(inputs), inputs)
        if self.clip is not None:
            corrupted = ops.clip(corrupted, self.clip[0], self.clip[1])
        return corrupted

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "noise": self.noise,
            "level": self.level,
            "clip": self.clip,
            "seed": self.seed,
        }
