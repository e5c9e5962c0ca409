"""Per-sample negative log-likelihoods, summed over every value, as Keras losses.

The variational autoencoder trains on the negative evidence lower bound: the
summed negative log-likelihood of each sample's values plus the KL term. Each
reconstruction loss of skae names a likelihood: binary cross-entropy the
Bernoulli, squared error the Gaussian of unit variance, absolute error the
Laplace of unit scale. Constants are included, so the values are nats.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from .._utils._losses import HALF_LOG_TWO_PI

# As Keras' binary cross-entropy: probabilities are clipped to [eps, 1 - eps].
EPSILON = 1e-7
_LOG_TWO = math.log(2.0)


def _sum_per_sample(values):
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


@keras.saving.register_keras_serializable(package="skae")
def bernoulli_nll(y_true, y_pred):
    """Summed binary cross-entropy per sample (Bernoulli likelihood), in nats."""
    p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
    y_true = ops.cast(y_true, p.dtype)
    return _sum_per_sample(-(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p)))


@keras.saving.register_keras_serializable(package="skae")
def gaussian_nll(y_true, y_pred):
    """Summed negative log-density of N(y_pred, 1) per sample, in nats."""
    y_true = ops.cast(y_true, y_pred.dtype)
    return _sum_per_sample(0.5 * ops.square(y_true - y_pred) + HALF_LOG_TWO_PI)


@keras.saving.register_keras_serializable(package="skae")
def laplace_nll(y_true, y_pred):
    """Summed negative log-density of Laplace(y_pred, 1) per sample, in nats."""
    y_true = ops.cast(y_true, y_pred.dtype)
    return _sum_per_sample(ops.abs(y_true - y_pred) + _LOG_TWO)


NEGATIVE_LOG_LIKELIHOODS = {
    "binary_crossentropy": bernoulli_nll,
    "mse": gaussian_nll,
    "mae": laplace_nll,
}
