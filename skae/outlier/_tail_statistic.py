"""Tail statistics: put scores of different kinds on one scale before adding them."""

from __future__ import annotations

import numpy as np

from .. import _persistence


@_persistence.register
class TailStatistic:
    """Map a score to ``-log(1 - F(score))``, ``F`` its distribution in training.

    ``F`` is the number of training scores at or below the score over
    ``n + 1``, linear between distinct training values and flat below the
    training minimum, so training scores map into
    ``[log((n + 1) / (n + 1 - c)), log(n + 1)]`` (``c`` the count of the
    smallest). Above the training maximum the statistic goes on linearly,
    ``log(n + 1) + (s - max) / spread``, with ``spread = max - q`` and ``q``
    the training score of (0-based) rank ``floor(0.9 * (n - 1))``; if that is
    0, the standard deviation of the training scores; if that is 0 too,
    ``|max|``, or 1 when the maximum is 0. So the statistic is non-decreasing,
    continuous and unbounded. Sums of such statistics are Fisher's combination
    of tail probabilities.
    """

    def fit(self, scores: np.ndarray) -> TailStatistic:
        """Learn the distribution of training scores.

        Parameters
        ----------
        scores : ndarray of shape (n_samples,)
            Finite training scores, at least one.

        Returns
        -------
        self : TailStatistic
        """
        scores = np.sort(np.asarray(scores, dtype=np.float64).ravel())
        n = len(scores)
        self.values_, counts = np.unique(scores, return_counts=True)
        self.levels_ = np.cumsum(counts) / (n + 1)
        self.ceiling_ = float(np.log(n + 1))
        top = scores[-1]
        spread = top - scores[int(0.9 * (n - 1))]
        if not spread > 0:
            spread = float(np.std(scores))
        if not spread > 0:
            spread = abs(top) if top != 0 else 1.0
        self.spread_ = float(spread)
        return self

    def transform(self, scores: np.ndarray) -> np.ndarray:
        """Return the tail statistic of each score.

        Parameters
        ----------
        scores : ndarray
            Finite scores of the kind seen in ``fit``.

        Returns
        -------
        ndarray of float64, same shape
            May hold +inf only for scores beyond about ``1e308 * spread_``.
        """
        scores = np.asarray(scores, dtype=np.float64)
        levels = np.interp(scores, self.values_, self.levels_)
        statistic = -np.log1p(-levels)
        above = scores > self.values_[-1]
        with np.errstate(over="ignore"):
            beyond = (scores[above] - self.values_[-1]) / self.spread_
        statistic[above] = self.ceiling_ + beyond
        return statistic
