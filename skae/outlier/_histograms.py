"""Per-feature histograms of training data, and how rare a value is under them."""

from __future__ import annotations

import numpy as np

from .. import _persistence
from .._utils._sources import block_rows

# Pseudo-count added to every bin, so that an empty bin (or a value outside the
# training range) has a small but finite probability.
PSEUDO_COUNT = 0.1


# Values binned at a time (at most 2**15 rows): bounds the temporaries of
# large data, wide tables included.
BLOCK_VALUES = 2**21


@_persistence.register
class FeatureHistograms:
    """Equal-width histograms, one per feature, fitted on training data.

    The rarity of a value is ``-log`` of the probability of its bin, estimated
    with a pseudo-count of 0.1 per bin; a value outside the training range (or
    any other value of a feature that was constant) gets the probability of an
    empty bin. Summed over features this is the Histogram-Based Outlier Score
    (HBOS) of Goldstein and Dengel (2012).

    Parameters
    ----------
    n_bins : int
        Bins per feature, at least 2.
    """

    def __init__(self, n_bins: int):
        self.n_bins = n_bins

    def fit(self, X: np.ndarray) -> FeatureHistograms:
        """Fit one histogram per column of ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Finite training data. Memory: ``n_features * n_bins`` floats.

        Returns
        -------
        self : FeatureHistograms
        """
        X = np.asarray(X, dtype=np.float64)
        n_samples, n_features = X.shape
        self.low_, self.high_ = X.min(axis=0), X.max(axis=0)
        self.edges_ = np.linspace(self.low_, self.high_, self.n_bins + 1, axis=1)
        counts = np.zeros((n_features, self.n_bins))
        rows = block_rows((n_features,), values=BLOCK_VALUES, max_rows=2**15)
        for start in range(0, n_samples, rows):
            bins = self._bins(X[start : start + rows])
            for j in range(n_features):
                counts[j] += np.bincount(bins[:, j], minlength=self.n_bins)
        total = n_samples + PSEUDO_COUNT * self.n_bins
        self.log_probability_ = np.log((counts + PSEUDO_COUNT) / total)
        self.log_floor_ = float(np.log(PSEUDO_COUNT / total))
        return self

    def _bins(self, X: np.ndarray) -> np.ndarray:
        """Bin index of every entry, as ``np.histogram`` bins; the top edge
        belongs to the last bin."""
        # Feature by feature on a transposed copy: each column contiguous
        # (a third faster on wide tables than searching strided columns).
        columns = np.ascontiguousarray(X.T)
        bins = np.empty(columns.shape, dtype=np.intp)
        for j, edges in enumerate(self.edges_):
            bins[j] = np.searchsorted(edges, columns[j], side="right")
        bins -= 1
        return np.clip(bins, 0, self.n_bins - 1, out=bins).T

    def rarity(self, X: np.ndarray) -> np.ndarray:
        """Return ``-log`` of the probability of each entry's bin.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Finite data with the training features.

        Returns
        -------
        ndarray of float64, shape (n_samples, n_features)
        """
        X = np.asarray(X, dtype=np.float64)
        log_p = self.log_probability_[np.arange(X.shape[1]), self._bins(X)]
        log_p[(X < self.low_) | (X > self.high_)] = self.log_floor_
        return np.negative(log_p, out=log_p)
