"""GaussianSampling: the VAE's reparameterised draw, and its KL term."""

from __future__ import annotations

import keras
from keras import ops

# Log-variances are clipped to this range, so exp() neither overflows nor
# underflows in float32 (e**20 is about 5e8).
LOG_VARIANCE_LIMIT = 20.0


def kl_divergence(mean, log_variance):
    """KL(N(mean, exp(log_variance)) || N(0, I)) per sample, summed over dims."""
    log_variance = ops.clip(log_variance, -LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT)
    terms = 1.0 + log_variance - ops.square(mean) - ops.exp(log_variance)
    return -0.5 * ops.sum(terms, axis=-1)


@keras.saving.register_keras_serializable(package="skae")
class GaussianSampling(keras.layers.Layer):
    """Draw ``z = mean + exp(log_variance / 2) * eps`` in training; the mean otherwise.

    The reparameterisation trick: the noise ``eps ~ N(0, I)`` comes from a
    seeded generator, so the gradient flows through ``mean`` and
    ``log_variance``. The layer adds ``beta`` times the per-sample KL divergence
    from the standard normal prior, averaged over the batch, to the model's
    losses, in training and in evaluation alike (the validation loss is then
    the negative evidence lower bound at the posterior mean).

    Parameters
    ----------
    beta : float
        Weight of the KL term (1 for the evidence lower bound).
    seed : int or None
        Seed of the draws; None uses Keras' global seed, which skae sets from
        ``random_state``.
    """

    def __init__(self, beta: float = 1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.beta = float(beta)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        mean, log_variance = inputs
        log_variance = ops.clip(log_variance, -LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT)
        if self.beta:
            # In float32 whatever the dtype policy: exp(log_variance) overflows
            # float16 above log-variances of about 11.
            kl = kl_divergence(
                ops.cast(mean, "float32"), ops.cast(log_variance, "float32")
            )
            self.add_loss(self.beta * ops.mean(kl))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_variance) * ops.cast(eps, mean.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed}
