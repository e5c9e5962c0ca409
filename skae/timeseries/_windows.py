"""Overlapping windows of a long series, and window values back on its time axis."""

from __future__ import annotations

import numbers
import os

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import maximum_filter1d
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .. import _persistence
from .._utils._params import Boolean, Constant, Interval, check_params
from ._period import choose_window

AGGREGATES = ("mean", "max")


def window_starts(n_times: int, window: int, stride: int) -> np.ndarray:
    """Start indices of the windows of a series of ``n_times`` points.

    Every ``stride``-th start from 0, plus the last possible start
    (``n_times - window``) when the stride skips it, so every point is in at
    least one window.
    """
    if n_times < window:
        raise ValueError(
            f"A series of {n_times} time points is shorter than the window "
            f"({window} points)."
        )
    starts = np.arange(0, n_times - window + 1, stride)
    if starts[-1] != n_times - window:
        starts = np.append(starts, n_times - window)
    return starts


def cut_windows(series: np.ndarray, window: int, starts: np.ndarray) -> np.ndarray:
    """Return the windows ``(len(starts), window, n_features)`` of a 2-D series.

    A strided view of ``series`` indexed by ``starts``: a copy of only the
    selected windows.
    """
    view = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)
    # sliding_window_view puts the window axis last: (starts, features, window).
    return np.ascontiguousarray(view[starts].transpose(0, 2, 1))


def to_time_points(
    window_values,
    starts,
    n_times: int,
    window: int,
    aggregate: str = "mean",
) -> np.ndarray:
    """Spread one value per window over the time points the window covers.

    Parameters
    ----------
    window_values : array-like of shape (n_windows,)
        One value per window (a score).
    starts : array-like of int, shape (n_windows,)
        The first time index of each window.
    n_times : int
        Length of the series.
    window : int
        Length of each window.
    aggregate : {"mean", "max"}, default="mean"
        How the values of the windows that cover a point combine.

    Returns
    -------
    ndarray of float64, shape (n_times,)
        The value of each time point; NaN for a point no window covers.
    """
    values = np.asarray(window_values, dtype=np.float64).ravel()
    starts = np.asarray(starts, dtype=np.intp).ravel()
    if values.shape != starts.shape:
        raise ValueError(
            f"Got {values.size} window values for {starts.size} window starts."
        )
    if aggregate == "max":
        # Point t is covered by the windows starting in [t - window + 1, t].
        at_start = np.full(n_times, -np.inf)
        np.maximum.at(at_start, starts, values)
        origin = (window - 1) // 2
        spread = maximum_filter1d(
            at_start, window, mode="constant", cval=-np.inf, origin=origin
        )
        spread[np.isneginf(spread)] = np.nan
        return spread
    if aggregate != "mean":
        raise ValueError(f"aggregate must be one of {AGGREGATES}, got {aggregate!r}.")
    # Sum each point's covering windows directly (a sliding sum over the
    # start-indexed values), not as a difference of running sums: one huge or
    # non-finite window value then affects only the points it covers.
    at_start = np.zeros(n_times + window - 1)
    covered = np.zeros(n_times + window - 1)
    at_start[starts + window - 1] = values
    covered[starts + window - 1] = 1.0
    sums = sliding_window_view(at_start, window).sum(axis=1)
    counts = sliding_window_view(covered, window).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0.5, sums / np.maximum(counts, 1), np.nan)


def validate_series(estimator, X, *, reset: bool) -> np.ndarray:
    """Return a series ``(n_times,)`` or ``(n_times, n_features)`` as 2-D float64.

    One feature per column; 1-D input is one feature. Feature names and
    ``n_features_in_`` are recorded (``reset``) or checked as scikit-learn does.
    """
    is_1d = getattr(X, "ndim", None) == 1 or (
        isinstance(X, (list, tuple)) and len(X) > 0 and np.isscalar(X[0])
    )
    if is_1d:
        X = check_array(X, ensure_2d=False, dtype=np.float64).reshape(-1, 1)
    return validate_data(
        estimator, X, reset=reset, dtype=np.float64, ensure_min_samples=2
    )


@_persistence.register
class SlidingWindows(TransformerMixin, BaseEstimator):
    """Cut a long series into overlapping windows, one row per window.

    ``transform`` turns a series of ``n_times`` time points (one row per
    point, one column per feature) into the windows starting every
    ``stride`` points, and the last window ending at the series' end, so every
    point is in a window. :meth:`to_time_points` maps one value per window
    (a score, say) back to one value per time point.

    Parameters
    ----------
    window : int or "auto", default="auto"
        Length of each window, in time points. ``"auto"`` takes the dominant
        period of the series given to ``fit`` (the highest peak of its
        autocorrelation), or 32 when it has none, clipped to [8, 512] and to
        half the series: the rule reads the training series only, never
        labels.
    stride : int, default=1
        Time points between the starts of consecutive windows; at most the
        window length, so that windows leave no gaps.
    flatten : bool, default=False
        Return windows as flat rows ``(n_windows, window * n_features)``,
        time-major, for estimators that take tables, instead of sequences
        ``(n_windows, window, n_features)``.

    Attributes
    ----------
    window_ : int
        The window length used.
    n_features_in_ : int
        Number of features (columns) of the series seen in ``fit``.
    feature_names_in_ : ndarray of str
        Their names, when the series had string column names.

    See Also
    --------
    TimeSeriesOutlierDetector : Scores every time point of a series.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.timeseries import SlidingWindows
    >>> series = np.arange(10.0)
    >>> windows = SlidingWindows(window=4, stride=3).fit(series)
    >>> windows.transform(series)[:, :, 0]
    array([[0., 1., 2., 3.],
           [3., 4., 5., 6.],
           [6., 7., 8., 9.]])
    >>> windows.to_time_points([1.0, 2.0, 3.0], n_times=10)
    array([1. , 1. , 1. , 1.5, 2. , 2. , 2.5, 3. , 3. , 3. ])
    """

    _parameter_specs = {
        "window": (Constant("auto"), Interval(1, integer=True)),
        "stride": Interval(1, integer=True),
        "flatten": Boolean(),
    }

    def __init__(self, window="auto", *, stride: int = 1, flatten: bool = False):
        self.window = window
        self.stride = stride
        self.flatten = flatten

    def fit(self, X, y=None):
        """Choose the window length from the series ``X``.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            The (training) series.
        y : None
            Ignored.

        Returns
        -------
        self : SlidingWindows
        """
        check_params(self)
        series = validate_series(self, X, reset=True)
        if self.window == "auto":
            self.window_ = choose_window(series)
        else:
            self.window_ = int(self.window)
        if self.stride > self.window_:
            raise ValueError(
                f"stride={self.stride} is longer than the window ({self.window_} "
                "points): the points between windows would get no value."
            )
        window_starts(len(series), self.window_, int(self.stride))
        return self

    def starts(self, n_times: int) -> np.ndarray:
        """Start index of each window of a series of ``n_times`` points.

        Parameters
        ----------
        n_times : int
            Length of the series.

        Returns
        -------
        ndarray of int, shape (n_windows,)
        """
        check_is_fitted(self)
        return window_starts(int(n_times), self.window_, int(self.stride))

    def transform(self, X) -> np.ndarray:
        """Cut the series ``X`` into windows.

        Parameters
        ----------
        X : array-like of shape (n_times,) or (n_times, n_features)
            The series.

        Returns
        -------
        ndarray of float64
            ``(n_windows, window_, n_features)``, or with ``flatten``
            ``(n_windows, window_ * n_features)``.
        """
        check_is_fitted(self)
        series = validate_series(self, X, reset=False)
        windows = cut_windows(series, self.window_, self.starts(len(series)))
        return windows.reshape(len(windows), -1) if self.flatten else windows

    def to_time_points(
        self, window_values, n_times: int, aggregate: str = "mean"
    ) -> np.ndarray:
        """Map one value per window back to one value per time point.

        Parameters
        ----------
        window_values : array-like of shape (n_windows,)
            One value per window of a series of ``n_times`` points, in the
            order ``transform`` returns the windows.
        n_times : int
            Length of that series.
        aggregate : {"mean", "max"}, default="mean"
            How the values of the windows covering a point combine.

        Returns
        -------
        ndarray of float64, shape (n_times,)
        """
        if not isinstance(n_times, numbers.Integral):
            raise TypeError(f"n_times must be an int, got {n_times!r}.")
        return to_time_points(
            window_values, self.starts(n_times), n_times, self.window_, aggregate
        )

    def save(self, path: str | os.PathLike) -> None:
        """Save the windowing to a file that :func:`skae.load` reads without pickle.

        Parameters
        ----------
        path : str or path-like
            Where to write the archive.
        """
        _persistence.save(self, path)
