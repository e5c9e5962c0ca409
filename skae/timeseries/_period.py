"""The dominant period of a series, from its autocorrelation."""

from __future__ import annotations

import numpy as np

#: Shortest and longest window the "auto" rule returns.
MIN_WINDOW = 8
MAX_WINDOW = 512
#: The least autocorrelation a peak needs to count as a period.
MIN_PEAK = 0.1


def autocorrelation(series: np.ndarray, max_lag: int) -> np.ndarray:
    """Return the autocorrelation of a 1-D or 2-D series at lags 0..max_lag.

    Computed with the FFT; a 2-D series gives the mean over its non-constant
    columns. A constant series has no correlation structure: all zeros.
    """
    values = np.asarray(series, dtype=np.float64)
    values = values.reshape(len(values), -1)
    centred = values - values.mean(axis=0)
    power = (centred**2).sum(axis=0)
    keep = power > 0
    if not keep.any():
        return np.zeros(max_lag + 1)
    centred, power = centred[:, keep], power[keep]
    size = 1 << int(np.ceil(np.log2(2 * len(values))))
    spectrum = np.fft.rfft(centred, n=size, axis=0)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=0)
    return (correlation[: max_lag + 1] / power).mean(axis=1)


def estimate_period(
    series, *, min_period: int = MIN_WINDOW, max_period: int = MAX_WINDOW
) -> int | None:
    """Return the lag of the highest autocorrelation peak, or None.

    A peak is a local maximum of the autocorrelation, after it has first
    dropped below zero, in ``[min_period, max_period]`` (and at most a third
    of the series, so a period is seen at least three times). None when no
    peak reaches ``MIN_PEAK`` (or three standard errors of white noise,
    ``3 / sqrt(n)``, if larger): the series has no clear period.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_times, n_features)
        The series (for several features, the mean autocorrelation).
    min_period, max_period : int
        The range of lags searched.

    Returns
    -------
    int or None
        The period, in time steps.
    """
    values = np.asarray(series, dtype=np.float64)
    max_lag = min(int(max_period), len(values) // 3)
    if max_lag < max(int(min_period), 2):
        return None
    acf = autocorrelation(values, max_lag + 1)
    below = np.flatnonzero(acf < 0)
    if below.size == 0:
        return None
    lags = np.arange(max(int(min_period), int(below[0]), 1), max_lag + 1)
    least = max(MIN_PEAK, 3 / np.sqrt(len(values)))
    is_peak = (
        (acf[lags] > least) & (acf[lags] >= acf[lags - 1]) & (acf[lags] > acf[lags + 1])
    )
    if not is_peak.any():
        return None
    peaks = lags[is_peak]
    return int(peaks[np.argmax(acf[peaks])])


def choose_window(series) -> int:
    """The ``window="auto"`` rule: the dominant period of the training series.

    The period from :func:`estimate_period`, or 32 time steps when there is
    none, clipped to ``[MIN_WINDOW, MAX_WINDOW]`` and to half the series.
    """
    values = np.asarray(series)
    period = estimate_period(values)
    window = period if period is not None else 32
    window = int(np.clip(window, MIN_WINDOW, MAX_WINDOW))
    return max(1, min(window, len(values) // 2))
