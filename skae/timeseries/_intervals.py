"""Stretches of consecutive flagged time points."""

from __future__ import annotations

import numpy as np


def mask_to_intervals(mask) -> np.ndarray:
    """Return the ``[start, stop)`` index pairs of the runs of True in ``mask``.

    Parameters
    ----------
    mask : array-like of bool, shape (n_times,)

    Returns
    -------
    ndarray of int, shape (n_runs, 2)
    """
    flags = np.asarray(mask, dtype=bool).ravel().astype(np.int8)
    edges = np.diff(np.concatenate(([0], flags, [0])))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1)
