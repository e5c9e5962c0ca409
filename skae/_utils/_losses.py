"""Reconstruction errors computed in NumPy, one value per sample or per feature."""

from __future__ import annotations

import numpy as np

LOSSES = ("mse", "mae", "binary_crossentropy")

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


def per_sample_error(X: np.ndarray, X_hat: np.ndarray, loss: str) -> np.ndarray:
    """Return the mean error over all but the first axis, as float64 of shape (n,)."""
    errors = elementwise_error(X, X_hat, loss)
    return errors.reshape(errors.shape[0], -1).mean(axis=1)
