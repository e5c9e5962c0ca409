"""Reconstruction errors computed in NumPy, one value per sample or per feature."""

from __future__ import annotations

import math

import numpy as np

LOSSES = ("mse", "mae", "binary_crossentropy")
# log(2 pi) / 2: the constant of the unit-variance Gaussian's negative log-density.
HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)

# Keras clips probabilities to [eps, 1 - eps] in binary cross-entropy; do the same
# so that scores agree with the training loss.
_EPSILON = 1e-7


def elementwise_error(X: np.ndarray, X_hat: np.ndarray, loss: str) -> np.ndarray:
    """Return the error of each entry of ``X_hat`` against ``X`` as float64.

    Parameters
    ----------
    X, X_hat : ndarray of the same shape
        The data and its reconstruction.
    loss : {"mse", "mae", "binary_crossentropy"}
        Which error; the mean over features is the per-sample training loss.

    Returns
    -------
    ndarray of float64, same shape as ``X``
    """
    X = np.asarray(X, dtype=np.float64)
    X_hat = np.asarray(X_hat, dtype=np.float64)
    if loss == "mse":
        return np.square(X - X_hat)
    if loss == "mae":
        return np.abs(X - X_hat)
    if loss == "binary_crossentropy":
        p = np.clip(X_hat, _EPSILON, 1.0 - _EPSILON)
        return -(X * np.log(p) + (1.0 - X) * np.log1p(-p))
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}.")


def elementwise_nll(X: np.ndarray, X_hat: np.ndarray, loss: str) -> np.ndarray:
    """Return each value's negative log-likelihood (nats) under the loss's likelihood.

    Binary cross-entropy is the Bernoulli's; squared error the unit-variance
    Gaussian's, ``(x - mu)**2 / 2 + log(2 pi) / 2``; absolute error the
    unit-scale Laplace's, ``|x - mu| + log 2``.
    """
    errors = elementwise_error(X, X_hat, loss)
    if loss == "mse":
        return 0.5 * errors + HALF_LOG_TWO_PI
    if loss == "mae":
        return errors + np.log(2.0)
    return errors


def per_sample_error(X: np.ndarray, X_hat: np.ndarray, loss: str) -> np.ndarray:
    """Return the mean error over all but the first axis, as float64 of shape (n,)."""
    errors = elementwise_error(X, X_hat, loss)
    return errors.reshape(errors.shape[0], -1).mean(axis=1)
