"""The distance of a code from the training codes: Hotelling's T²."""

from __future__ import annotations

import numpy as np

# Codes handled at a time, so large tables need no float64 copy of them all.
BLOCK_ROWS = 2**16


def fit_code_distribution(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and the (pseudo-)inverse covariance of training codes.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_components)
        Codes of the training data.

    Returns
    -------
    mean : ndarray of float64, shape (n_components,)
    precision : ndarray of float64, shape (n_components, n_components)
        The pseudo-inverse of the covariance, with a small ridge so that codes
        that never vary (dead units) do not blow up the distance.
    """
    codes = np.asarray(codes).reshape(len(codes), -1)
    mean = codes.mean(axis=0, dtype=np.float64)
    # Summed a block at a time: no float64 copy of all the codes.
    scatter = np.zeros((len(mean), len(mean)))
    for start in range(0, len(codes), BLOCK_ROWS):
        centered = codes[start : start + BLOCK_ROWS].astype(np.float64) - mean
        scatter += centered.T @ centered
    covariance = scatter / max(len(codes) - 1, 1)
    ridge = 1e-6 * max(float(np.trace(covariance)) / len(covariance), 1e-12)
    precision = np.linalg.pinv(covariance + ridge * np.eye(len(covariance)))
    return mean, precision


def code_distance(codes: np.ndarray, mean: np.ndarray, precision: np.ndarray):
    """Return Hotelling's T² of each code divided by the code size, as float64.

    The squared Mahalanobis distance of a code from the training codes; about
    1 on average over the training data.
    """
    codes = np.asarray(codes).reshape(len(codes), -1)
    distances = np.empty(len(codes), dtype=np.float64)
    for start in range(0, len(codes), BLOCK_ROWS):
        block = slice(start, start + BLOCK_ROWS)
        centered = codes[block].astype(np.float64) - mean
        distances[block] = np.einsum("ij,jk,ik->i", centered, precision, centered)
    return distances / len(mean)
