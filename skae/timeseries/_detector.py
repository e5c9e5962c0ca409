"""TimeSeriesOutlierDetector: a score for every time point of a long series."""

from __future__ import annotations

import math
import os

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted

from .. import _persistence
from .._utils._nearest import nearest_distances
from .._utils._params import (
    Boolean,
    Constant,
    Interval,
    Options,
    RandomState,
    Satisfies,
    check_params,
)
from .._utils._seeding import seeded_clone
from .._utils._state import restored_on_failure
from ..autoencoder import BaseAutoencoder
from ..outlier import ReconstructionOutlierDetector
from ..outlier._tail_statistic import TailStatistic
from ..outlier._thresholds import contamination_threshold, mad_threshold
from ._intervals import mask_to_intervals
from ._windows import (
    AGGREGATES,
    SlidingWindows,
    cut_windows,
    to_time_points,
    validate_series,
)

#: Robust standard deviations above the median for ``contamination="auto"``.
MAD_K = 3.0
#: Values (windows x window length x features) scored per call of the inner
#: detector: about 32 MB of float64 per copy, whatever the window.
SCORING_CHUNK_VALUES = 1 << 22


def _is_detector(value) -> bool:
    return hasattr(value, "fit") and hasattr(value, "score_samples")


@_persistence.register
class TimeSeriesOutlierDetector(OutlierMixin, BaseEstimator):
    """Score every time point of a long series by how unusual its windows are.

    ``fit`` cuts a series known to be normal (one row per time point, one
    column per feature) into overlapping windows and fits an outlier detector
    to them. ``score_samples`` cuts any series the same way, scores each
    window, and gives every time point the mean (or max) score of the windows
    that cover it: one score per time stamp, aligned with the input.
    :meth:`anomalous_intervals` reports the stretches flagged by ``predict``.

    Parameters
    ----------
    detector : estimator or None, default=None
        The outlier detector of windows: anything with ``fit`` and
        ``score_samples`` (higher means more normal). None is
        ``ReconstructionOutlierDetector(error="reconstruction",
        marginal_bins=None, max_samples=None)``: the reconstruction error
        of the detector's default autoencoder, fitted on every window (see
        :func:`default_window_detector`). A
        ``ReconstructionOutlierDetector`` or a skae autoencoder receives
        windows as sequences ``(n_windows, window, n_features)``, so a
        :class:`~skae.SequenceAutoencoder` sees time steps; any
        other detector receives flat rows ``(n_windows, window * n_features)``.
    window : int or "auto", default="auto"
        Window length, in time points; ``"auto"`` is the dominant period of
        the training series (see :class:`SlidingWindows`).
    stride : int, default=1
        Time points between scored windows, at most the window length.
        Larger strides score faster and give coarser scores; every point is
        still covered.
    aggregate : {"mean", "max"}, default="mean"
        How the anomaly scores of the windows covering a point combine.
    normalize : {"window", None}, default="window"
        ``"window"`` standardises every window on its own (each feature minus
        its mean over the window, divided by its standard deviation there,
        floored at 1 % of the training series' standard deviation), so the
        detector compares shapes, as a matrix-profile discord does: a shape
        never seen in training stands out wherever the level is, and a level
        shift shows where it happens. None: raw windows.
    discord : bool, default=True
        Also score each window by its distance to the nearest training
        window (after ``normalize``; with ``"window"`` this is the
        z-normalised distance of a matrix-profile discord, an AB-join against
        the training series). The detector's anomaly score and this distance
        are each mapped to their tail statistic on the training windows,
        ``-log`` of the fraction of training windows that score as high
        (extended linearly beyond the training maximum, as for the outlier
        detector's ``marginal_bins``), and the larger of the two is
        the window's anomaly score (Tippett's rule): a window is anomalous
        when the detector finds it so, or when nothing in training looks like
        it. On training windows the distance skips trivial matches (windows
        starting fewer than ``ceil(window / 4)`` points away), so
        ``offset_`` reflects new data; scored again later, the training
        series matches its own windows and looks more normal than in
        ``fit``. The training series is kept for the comparison
        (``reference_series_``). False: the detector's score alone.
    max_fit_windows : int >= 2 or None, default=20000
        ``fit`` trains on at most this many windows, evenly spaced over the
        training series (a larger stride), so a long normal stretch costs no
        more than this. None: every window at ``stride``.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Where ``predict`` draws the line, on the anomaly scores of the
        training series' points: ``"auto"`` at ``median + 3 * 1.4826 * MAD``
        of their logarithms (of the scores themselves when some are not
        positive); a float flags that fraction of the training points.
    random_state : int, RandomState instance or None, default=None
        Seeds an inner detector whose own ``random_state`` is None.

    Attributes
    ----------
    windows_ : SlidingWindows
        The fitted windowing (``windows_.window_`` is the window length).
    detector_ : estimator
        The fitted detector of windows.
    scale_floor_ : ndarray of shape (n_features,)
        The least standard deviation a window is divided by, per feature.
    reference_series_ : ndarray of shape (n_times, n_features) or None
        With ``discord``: the training series, whose windows at
        ``reference_starts_`` are the windows compared with; else None.
    reference_starts_ : ndarray of int or None
        With ``discord``: the start of each reference window (the windows
        the detector was fitted on); else None.
    detector_tail_, discord_tail_ : TailStatistic or None
        With ``discord``: the training distributions of the detector's
        anomaly score and of the nearest-window distance; else None.
    offset_ : float
        ``decision_function = score_samples - offset_``.
    n_features_in_ : int
        Number of features of the series.
    feature_names_in_ : ndarray of str
        Their names, when the series had string column names.

    See Also
    --------
    SlidingWindows : The windows and their mapping back to time points.
    skae.ReconstructionOutlierDetector : The default detector of windows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import IsolationForest
    >>> from skae.timeseries import TimeSeriesOutlierDetector
    >>> t = np.arange(3000)
    >>> series = np.sin(2 * np.pi * t / 50)
    >>> series[2500:2520] += 1.5                      # a burst after the normal part
    >>> detector = TimeSeriesOutlierDetector(
    ...     IsolationForest(random_state=0), window=50).fit(series[:2000])
    >>> scores = detector.score_samples(series)       # one per time point
    >>> scores.shape
    (3000,)
    >>> 2450 <= int(np.argmin(scores)) < 2570
    True
    """

    _parameter_specs = {
        "detector": (
            Constant(None),
            Satisfies(_is_detector, "an estimator with fit and score_samples"),
        ),
        "window": (Constant("auto"), Interval(1, integer=True)),
        "stride": Interval(1, integer=True),
        "aggregate": Options(AGGREGATES),
        "normalize": (Constant(None), Options(("window",))),
        "discord": Boolean(),
        "max_fit_windows": (Constant(None), Interval(2, integer=True)),
        "contamination": (Constant("auto"), Interval(0, 0.5, closed="right")),
        "random_state": RandomState(),
    }

    def __init__(
        self,
        detector=None,
        *,
        window="auto",
        stride: int = 1,
        aggregate: str = "mean",
        normalize: str | None = "window",
        discord: bool = True,
        max_fit_windows: int | None = 20000,
        contamination="auto",
        random_state=None,
    ):
        self.detector = detector
        self.window = window
        self.stride = stride
        self.aggregate = aggregate
        self.normalize = normalize
        self.discord = discord
        self.max_fit_windows = max_fit_windows
        self.contamination = contamination
        self.random_state = random_state

    # ------------------------------------------------------------- fitting

    def fit(self, X, y=None):
        """Fit the detector of windows on a normal series.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            A series without anomalies (or with few): one row per time point.
        y : None
            Ignored.

        Returns
        -------
        self : TimeSeriesOutlierDetector
        """
        check_params(self)
        series = validate_series(self, X, reset=True)
        windows = SlidingWindows(self.window, stride=self.stride).fit(series)
        starts = windows.starts(len(series))
        if len(starts) < 2:
            raise ValueError(
                f"A series of {len(series)} time points makes one window of "
                f"{windows.window_}; fitting needs at least two: a series of "
                f"{windows.window_ + 1} points or more, or a shorter window."
            )
        if self.max_fit_windows is not None and len(starts) > self.max_fit_windows:
            step = math.ceil(len(starts) / self.max_fit_windows)
            starts = starts[::step]
        if self.normalize == "window" and windows.window_ == 1:
            raise ValueError(
                "normalize='window' needs windows of at least 2 points (a "
                "standardised one-point window is always 0); set window >= 2 "
                "or normalize=None."
            )
        detector = default_window_detector() if self.detector is None else self.detector
        spread = series.std(axis=0)
        with restored_on_failure(self):
            self.windows_ = windows
            self.detector_ = seeded_clone(detector, self.random_state)
            self.scale_floor_ = np.where(spread > 0, 0.01 * spread, 1.0)
            training = self._detector_input(
                cut_windows(series, windows.window_, starts)
            )
            self.detector_.fit(training)
            self._fit_discord(series, starts, training)
            self.offset_ = self._fit_offset(series)
        return self

    def __setstate__(self, state):
        # Detectors saved before ``discord`` existed scored with the detector alone.
        super().__setstate__({"discord": False, **state})

    def _fit_discord(
        self, series: np.ndarray, starts: np.ndarray, training: np.ndarray
    ) -> None:
        """Keep the reference windows; fit the tail statistics of both parts."""
        self.reference_series_ = self.reference_starts_ = None
        self.detector_tail_ = self.discord_tail_ = None
        if not self.discord:
            return
        # A copy: the caller's array may change after fit.
        self.reference_series_ = np.array(series, dtype=np.float64)
        self.reference_starts_ = starts
        reference = training.reshape(len(training), -1)
        distances = self._discord_distances(reference, reference, starts)
        self.discord_tail_ = TailStatistic().fit(distances)
        self.detector_tail_ = TailStatistic().fit(
            -self.detector_.score_samples(training)
        )

    def _discord_distances(self, flat_windows, reference, starts) -> np.ndarray:
        """Each window's distance to its nearest reference window. With
        ``starts`` (windows of the training series) trivial matches, starting
        fewer than ``ceil(window / 4)`` points away, are skipped; a window
        left with no match (a very short series) counts as 0."""
        distances = nearest_distances(
            flat_windows,
            reference,
            query_starts=starts,
            reference_starts=self.reference_starts_,
            exclusion=math.ceil(self.windows_.window_ / 4),
        )
        return np.where(np.isfinite(distances), distances, 0.0)

    def _fit_offset(self, series: np.ndarray) -> float:
        errors = -self._score_series(series, training=True)
        if self.contamination == "auto":
            return -mad_threshold(errors, MAD_K)
        return -contamination_threshold(errors, float(self.contamination))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "detector_")

    # ------------------------------------------------------------- scoring

    def _detector_input(self, windows: np.ndarray) -> np.ndarray:
        if self.normalize == "window":
            windows = windows - windows.mean(axis=1, keepdims=True)
            scale = np.maximum(windows.std(axis=1, keepdims=True), self.scale_floor_)
            windows /= scale
        if isinstance(self.detector_, (ReconstructionOutlierDetector, BaseAutoencoder)):
            return windows
        return windows.reshape(len(windows), -1)

    def _window_scores(
        self, series: np.ndarray, starts: np.ndarray, training: bool = False
    ) -> np.ndarray:
        """Score windows (higher: more normal). ``training``: ``series`` is the
        training series, so the nearest-window distance skips trivial matches."""
        scores = np.empty(len(starts))
        per_window = self.windows_.window_ * series.shape[1]
        size = max(1, SCORING_CHUNK_VALUES // per_window)
        reference = self._reference_windows()
        for begin in range(0, len(starts), size):
            chunk = starts[begin : begin + size]
            windows = self._detector_input(
                cut_windows(series, self.windows_.window_, chunk)
            )
            detector_scores = self.detector_.score_samples(windows)
            if reference is not None:
                detector_scores = self._with_discord(
                    detector_scores, windows, reference, chunk if training else None
                )
            scores[begin : begin + len(chunk)] = detector_scores
        return scores

    def _reference_windows(self) -> np.ndarray | None:
        """The flat, normalised reference windows; None without ``discord``."""
        if getattr(self, "reference_series_", None) is None:
            return None
        windows = cut_windows(
            self.reference_series_, self.windows_.window_, self.reference_starts_
        )
        windows = self._detector_input(windows)
        return windows.reshape(len(windows), -1)

    def _with_discord(self, detector_scores, windows, reference, starts) -> np.ndarray:
        """Minus the larger of both parts' tail statistics, for ``windows``."""
        distances = self._discord_distances(
            windows.reshape(len(windows), -1), reference, starts
        )
        anomaly = np.maximum(
            self.detector_tail_.transform(-detector_scores),
            self.discord_tail_.transform(distances),
        )
        return -anomaly

    def _score_series(self, series: np.ndarray, training: bool = False) -> np.ndarray:
        starts = self.windows_.starts(len(series))
        anomaly = -self._window_scores(series, starts, training)
        points = to_time_points(
            anomaly, starts, len(series), self.windows_.window_, self.aggregate
        )
        return -points

    def score_samples(self, X) -> np.ndarray:
        """Score every time point; the lower, the more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            A series at least one window long.

        Returns
        -------
        ndarray of float64, shape (n_times,)
            The mean (or, with ``aggregate="max"``, the lowest) window score
            of the windows covering each point.
        """
        check_is_fitted(self)
        return self._score_series(validate_series(self, X, reset=False))

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for anomalous time points.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            The series.

        Returns
        -------
        ndarray of float64, shape (n_times,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """Label every time point: -1 anomalous, +1 normal.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            The series.

        Returns
        -------
        ndarray of int, shape (n_times,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def anomalous_intervals(self, X) -> np.ndarray:
        """The stretches of consecutive anomalous time points.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            The series.

        Returns
        -------
        ndarray of int, shape (n_intervals, 2)
            ``[start, stop)`` row indices of each stretch that ``predict``
            labels -1, in time order.
        """
        return mask_to_intervals(self.predict(X) == -1)

    def save(self, path: str | os.PathLike) -> None:
        """Save the detector to a file that :func:`skae.load` reads without pickle.

        Parameters
        ----------
        path : str or path-like
            Where to write the archive.
        """
        _persistence.save(self, path)


def default_window_detector() -> ReconstructionOutlierDetector:
    """Return the detector of windows that ``detector=None`` stands for.

    The reconstruction error alone of the outlier detector's default
    autoencoder (a denoising autoencoder sized from the window), on the
    standardised windows. Chosen on half of the UCR archive's recordings
    against the same autoencoder with the detector's full error (code
    distance and per-value rarity added) and a per-time-point error; the
    other half was left untouched (``docs/timeseries.md``).

    Returns
    -------
    ReconstructionOutlierDetector
    """
    return ReconstructionOutlierDetector(
        error="reconstruction", marginal_bins=None, max_samples=None
    )
