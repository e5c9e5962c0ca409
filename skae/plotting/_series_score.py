"""A series above its anomaly score over time, with the threshold."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..timeseries import mask_to_intervals
from ._axes import axes_grid


def as_intervals(anomalies) -> np.ndarray:
    """Return ``[start, stop)`` intervals from labels per point or intervals."""
    marks = np.asarray(anomalies)
    if marks.ndim == 1:
        return mask_to_intervals(marks.astype(bool))
    if marks.ndim == 2 and marks.shape[1] == 2:
        return marks.astype(np.int64)
    raise ValueError(
        "anomalies must be labels per time point, shape (n_times,), or "
        f"[start, stop) intervals, shape (n_intervals, 2); got shape {marks.shape}."
    )


class SeriesScoreDisplay:
    """A time series above its anomaly score, the threshold and the anomalies.

    The top panel shows the series (every feature), the bottom one the score
    per time point with the threshold; stretches above the threshold are
    shaded orange, true anomalies (when given) red on both panels. Create it
    with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    series : ndarray of shape (n_times,) or (n_times, n_features)
        The values.
    scores : ndarray of shape (n_times,)
        Anomaly score per time point, higher for more anomalous.
    threshold : float
        Scores above it are flagged.
    anomalies : array-like, default=None
        True anomalies: labels per time point (1 or True for anomalous), or
        ``[start, stop)`` intervals of shape ``(n_intervals, 2)``.
    start : int, default=0
        Time index of the first point, for the x axis.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2,)
        The series and the score.
    score_line_ : matplotlib Line2D
    threshold_line_ : matplotlib Line2D
    flagged_spans_ : list of matplotlib artists
        One shaded span per stretch above the threshold.
    anomaly_spans_ : list of matplotlib artists
        The true anomalies' spans, on both panels.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae.plotting import SeriesScoreDisplay
    >>> scores = np.r_[np.zeros(50), np.ones(5), np.zeros(45)]
    >>> display = SeriesScoreDisplay.from_predictions(
    ...     np.sin(np.arange(100) / 5), scores, threshold=0.5, anomalies=[[50, 55]]
    ... )
    >>> len(display.flagged_spans_), len(display.anomaly_spans_)
    (1, 2)
    """

    def __init__(self, *, series, scores, threshold, anomalies=None, start: int = 0):
        self.series = series
        self.scores = scores
        self.threshold = threshold
        self.anomalies = anomalies
        self.start = start

    def plot(self, ax=None) -> SeriesScoreDisplay:
        """Draw both panels.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Area to divide into the two panels; a new figure when omitted.

        Returns
        -------
        display : SeriesScoreDisplay
            This object, with its artists stored.
        """
        values = np.asarray(self.series, dtype=np.float64)
        scores = np.asarray(self.scores, dtype=np.float64)
        if len(scores) != len(values):
            raise ValueError(
                f"scores has {len(scores)} points, the series {len(values)}."
            )
        self.figure_, axes = axes_grid(ax, 2, 1, (10.0, 5.0), sharex=True)
        self.axes_ = axes[:, 0]
        top, bottom = self.axes_
        times = self.start + np.arange(len(values))
        top.plot(times, values.reshape(len(values), -1), linewidth=0.6)
        top.set(ylabel="value")
        (self.score_line_,) = bottom.plot(
            times, scores, color="tab:blue", linewidth=0.8, label="anomaly score"
        )
        self.threshold_line_ = bottom.axhline(
            self.threshold, color="black", linestyle="--", label="threshold"
        )
        flagged = mask_to_intervals(scores > self.threshold)
        self.flagged_spans_ = [
            bottom.axvspan(
                self.start + begin,
                self.start + stop,
                color="tab:orange",
                alpha=0.3,
                label="flagged" if i == 0 else "_nolegend_",
            )
            for i, (begin, stop) in enumerate(flagged)
        ]
        self.anomaly_spans_ = []
        if self.anomalies is not None:
            for i, (begin, stop) in enumerate(as_intervals(self.anomalies)):
                for panel in self.axes_:
                    label = "true anomaly" if i == 0 and panel is bottom else None
                    span = panel.axvspan(
                        self.start + begin,
                        self.start + stop,
                        color="tab:red",
                        alpha=0.2,
                        label=label or "_nolegend_",
                    )
                    self.anomaly_spans_.append(span)
        bottom.set(xlabel="time", ylabel="anomaly score")
        bottom.legend(loc="upper right", fontsize="small")
        return self

    @classmethod
    def from_estimator(
        cls, detector, series, *, anomalies=None, start: int = 0, ax=None
    ) -> SeriesScoreDisplay:
        """Score a series with a fitted time-series detector and draw it.

        Parameters
        ----------
        detector : fitted TimeSeriesOutlierDetector
            Anything with ``score_samples`` per time point and ``offset_``.
        series : array-like of shape (n_times,) or (n_times, n_features)
            The series to score and draw.
        anomalies : array-like, default=None
            True anomalies: labels per time point or ``[start, stop)``
            intervals.
        start : int, default=0
            Time index of the first point of ``series``.
        ax : matplotlib Axes, default=None
            Area to divide into the two panels; a new figure when omitted.

        Returns
        -------
        display : SeriesScoreDisplay
        """
        check_is_fitted(detector)
        values = np.asarray(series, dtype=np.float64)
        return cls.from_predictions(
            values,
            -np.asarray(detector.score_samples(values)),
            -float(detector.offset_),
            anomalies=anomalies,
            start=start,
            ax=ax,
        )

    @classmethod
    def from_predictions(
        cls,
        series,
        scores,
        threshold: float,
        *,
        anomalies=None,
        start: int = 0,
        ax=None,
    ) -> SeriesScoreDisplay:
        """Draw a series with anomaly scores computed elsewhere.

        Parameters
        ----------
        series : array-like of shape (n_times,) or (n_times, n_features)
            The values.
        scores : array-like of shape (n_times,)
            Anomaly score per time point, higher for more anomalous.
        threshold : float
            Scores above it are flagged.
        anomalies : array-like, default=None
            True anomalies: labels per time point or ``[start, stop)``
            intervals.
        start : int, default=0
            Time index of the first point of ``series``.
        ax : matplotlib Axes, default=None
            Area to divide into the two panels; a new figure when omitted.

        Returns
        -------
        display : SeriesScoreDisplay
        """
        display = cls(
            series=series,
            scores=scores,
            threshold=float(threshold),
            anomalies=anomalies,
            start=start,
        )
        return display.plot(ax=ax)
