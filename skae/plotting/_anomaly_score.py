"""Histogram of an outlier detector's anomaly scores, with its threshold."""

from __future__ import annotations

import numpy as np

from ..outlier import sums_tail_statistics
from ..outlier._thresholds import outlier_mask
from ._axes import single_axes
from ._models import detector_scores


class AnomalyScoreDisplay:
    """Histogram of anomaly scores (higher: more anomalous) and the threshold.

    With labels, inliers and outliers get a histogram each, on the same bins.
    Create it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Anomaly scores, higher for more anomalous samples.
    threshold : float
        Scores above it are flagged.
    labels : array-like of shape (n_samples,), default=None
        1 (or -1, as ``predict`` gives them) for outliers, 0 (or +1) for
        inliers, or booleans; other values raise ``ValueError`` when drawn.
    threshold_name : str, default=None
        How the threshold was chosen, for the legend.
    score_name : str, default="anomaly score"
        The x label.
    log_scale : bool, default=False
        Logarithmic bins and x axis (scores must be positive).

    Attributes
    ----------
    bars_ : dict of str to matplotlib BarContainer
        The histograms, by group ("samples", or "inliers" and "outliers").
    threshold_line_ : matplotlib Line2D
        The threshold.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae.plotting import AnomalyScoreDisplay
    >>> scores = np.r_[np.random.default_rng(0).gamma(2, size=200), 12, 15]
    >>> display = AnomalyScoreDisplay.from_predictions(scores, threshold=8.0)
    >>> float(display.threshold_line_.get_xdata()[0])
    8.0
    """

    def __init__(
        self,
        *,
        scores,
        threshold,
        labels=None,
        threshold_name=None,
        score_name: str = "anomaly score",
        log_scale: bool = False,
    ):
        self.scores = scores
        self.threshold = threshold
        self.labels = labels
        self.threshold_name = threshold_name
        self.score_name = score_name
        self.log_scale = log_scale

    def plot(self, ax=None, *, bins: int = 50) -> AnomalyScoreDisplay:
        """Draw the histograms and the threshold.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.
        bins : int, default=50
            Number of bins, spanning the scores and the threshold.

        Returns
        -------
        display : AnomalyScoreDisplay
            This object, with its artists stored.
        """
        self.figure_, self.ax_ = single_axes(ax)
        scores = np.asarray(self.scores, dtype=np.float64)
        values = np.r_[scores, self.threshold]
        if self.log_scale:
            if not np.all(values > 0):
                raise ValueError("log_scale needs positive scores and threshold.")
            edges = np.geomspace(values.min(), values.max(), bins + 1)
        else:
            edges = np.linspace(values.min(), values.max(), bins + 1)
        groups = {"samples": scores}
        if self.labels is not None:
            outlier = outlier_mask(self.labels)
            groups = {"inliers": scores[~outlier], "outliers": scores[outlier]}
        self.bars_ = {}
        for name, group in groups.items():
            alpha = 1.0 if len(groups) == 1 else 0.6
            *_, self.bars_[name] = self.ax_.hist(
                group, bins=edges, alpha=alpha, label=name
            )
        label = "threshold"
        if self.threshold_name:
            label += f" ({self.threshold_name})"
        self.threshold_line_ = self.ax_.axvline(
            self.threshold, color="black", linestyle="--", label=label
        )
        if self.log_scale:
            self.ax_.set_xscale("log")
        self.ax_.set(xlabel=self.score_name, ylabel="samples")
        self.ax_.legend()
        return self

    @classmethod
    def from_estimator(
        cls, detector, X, y=None, *, bins: int = 50, ax=None
    ) -> AnomalyScoreDisplay:
        """Score ``X`` with a fitted detector and draw the histogram.

        Parameters
        ----------
        detector : fitted outlier detector
            A :class:`~skae.ReconstructionOutlierDetector` (its
            ``anomaly_score`` and ``threshold_``) or any scikit-learn outlier
            detector (``-score_samples`` and ``-offset_``).
        X : array-like of shape (n_samples, ...)
            Data to score.
        y : array-like of shape (n_samples,), default=None
            Outlier labels, to draw inliers and outliers apart.
        bins : int, default=50
            Number of bins. They are logarithmic when every score is positive
            and is not already a logarithm (a skae detector with a marginal
            part sums ``-log`` probabilities).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : AnomalyScoreDisplay
        """
        scores, threshold = detector_scores(detector, X)
        already_log = sums_tail_statistics(detector)
        display = cls(
            scores=scores,
            threshold=threshold,
            labels=y,
            threshold_name=getattr(detector, "threshold_rule_", None),
            score_name=(
                "anomaly score (sum of -log tail probabilities)"
                if already_log
                else "anomaly score"
            ),
            log_scale=bool(np.all(np.r_[scores, threshold] > 0)) and not already_log,
        )
        return display.plot(ax=ax, bins=bins)

    @classmethod
    def from_predictions(
        cls,
        scores,
        threshold: float,
        y=None,
        *,
        log_scale: bool = False,
        bins: int = 50,
        ax=None,
    ) -> AnomalyScoreDisplay:
        """Draw the histogram of scores computed elsewhere.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            Anomaly scores, higher for more anomalous samples (for a
            scikit-learn detector: ``-score_samples(X)``).
        threshold : float
            The threshold on the same scale.
        y : array-like of shape (n_samples,), default=None
            Outlier labels, to draw inliers and outliers apart.
        log_scale : bool, default=False
            Logarithmic bins and axis.
        bins : int, default=50
            Number of bins.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : AnomalyScoreDisplay
        """
        display = cls(
            scores=np.asarray(scores, dtype=np.float64),
            threshold=float(threshold),
            labels=y,
            log_scale=log_scale,
        )
        return display.plot(ax=ax, bins=bins)
