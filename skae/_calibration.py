"""Tail statistics: put scores of different kinds on one scale before adding them."""

from __future__ import annotations

import numpy as np


class TailStatistic:
    """Map a score to ``-log(1 - F(score))``, ``F`` its distribution in training.

    ``F`` is the rank of the score among the training scores over ``n + 1``,
    linear between distinct training values, so training scores map to
    ``[log((n + 1) / n) ... log(n + 1)]``. Above the training maximum the
    statistic goes on linearly, ``log(n + 1) + (s - max) / (max - q90)``, so it
    stays increasing and unbounded. Sums of such statistics are Fisher's
    combination of tail probabilities.
    """

    def fit(self, scores: np.ndarray) -> TailStatistic:
        """Learn the distribution of the training ``scores`` (1-D, finite)."""
        scores = np.sort(np.asarray(scores, dtype=np.float64).ravel())
        n = len(scores)
        self.values_, counts = np.unique(scores, return_counts=True)
        self.levels_ = np.cumsum(counts) / (n + 1)
        self.ceiling_ = float(np.log(n + 1))
        spread = scores[-1] - scores[int(0.9 * (n - 1))]
        if spread <= 0:
            spread = float(np.std(scores))
        self.spread_ = max(float(spread), 1e-300)
        return self

    def transform(self, scores: np.ndarray) -> np.ndarray:
        """Return the tail statistic of each score, float64."""
        scores = np.asarray(scores, dtype=np.float64)
        levels = np.interp(scores, self.values_, self.levels_)
        statistic = -np.log1p(-levels)
        above = scores > self.values_[-1]
        beyond = (scores[above] - self.values_[-1]) / self.spread_
        statistic[above] = self.ceiling_ + beyond
        return statistic
