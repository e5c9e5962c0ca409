"""Threshold rules on reconstruction errors (a sample is an outlier when its
error is strictly above the threshold)."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import column_or_1d

# MAD * 1.4826 estimates the standard deviation of normally distributed data.
MAD_TO_STD = 1.4826
# Mean absolute deviation * sqrt(pi / 2) does the same; used when the MAD is 0.
MEAN_AD_TO_STD = 1.2533
# Errors are floored here before their logarithm is taken.
LOG_FLOOR = 1e-12
# The least spread of the MAD rule, relative to the errors (absolute on the log
# scale): errors equal to about six digits are ties, as float32 networks and
# float64 sums scatter equal errors by less.
TIE_RESOLUTION = 1e-6


def contamination_threshold(errors: np.ndarray, contamination: float) -> float:
    """Return the threshold that flags a fraction ``contamination`` of ``errors``.

    Uses scikit-learn's convention (``IsolationForest``): the percentile of the
    scores at ``100 * contamination``, with linear interpolation.
    """
    return -float(np.percentile(-errors, 100.0 * contamination))


def mad_threshold(errors: np.ndarray, k: float, on_log_scale: bool = False) -> float:
    """Return ``median + k * 1.4826 * MAD`` of the errors, on a log scale.

    Reconstruction errors are positive and right-skewed; their logarithm is
    close to symmetric, where ``median + k * robust std`` is a fair tail rule,
    so the rule is applied to ``log(errors)`` and the cut is returned as
    ``exp(cut)``. Errors are floored at ``LOG_FLOOR``. If some are negative
    (scores that are not errors, such as a negative ELBO), or if
    ``on_log_scale`` says they are logarithms already (``-log`` of tail
    probabilities), the rule is applied to the errors themselves. When the
    MAD is zero, the mean absolute deviation is used; the spread is at least
    ``TIE_RESOLUTION`` (times the median magnitude of the errors off the log
    scale), so that errors equal but for rounding are not split by the cut.

    Parameters
    ----------
    errors : ndarray of shape (n_samples,)
        Finite training errors.
    k : float
        How many robust standard deviations above the median.
    on_log_scale : bool, default=False
        Whether the errors are logarithms already.

    Returns
    -------
    float
        The threshold, on the scale of ``errors``.
    """
    errors = np.asarray(errors, dtype=np.float64)
    use_log = bool(np.all(errors >= 0)) and not on_log_scale
    values = np.log(np.maximum(errors, LOG_FLOOR)) if use_log else errors
    center = float(np.median(values))
    deviations = np.abs(values - center)
    spread = MAD_TO_STD * float(np.median(deviations))
    if spread == 0.0:
        spread = MEAN_AD_TO_STD * float(np.mean(deviations))
    # Off the log scale relative to the errors' typical magnitude (the median:
    # one extreme error must not widen the cut).
    scale = 1.0 if use_log else float(np.median(np.abs(values)))
    cut = center + k * max(spread, TIE_RESOLUTION * scale)
    if not use_log:
        return cut
    return float(np.exp(min(cut, np.log(np.finfo(np.float64).max))))


def fpr_threshold(errors: np.ndarray, max_fpr: float) -> float:
    """Return the lowest threshold that flags at most ``max_fpr`` of ``errors``."""
    errors = np.sort(np.asarray(errors, dtype=np.float64))
    n_flagged = int(np.floor(max_fpr * len(errors) + 1e-9))
    return float(errors[len(errors) - 1 - n_flagged])


def f1_threshold(errors: np.ndarray, is_outlier: np.ndarray) -> float:
    """Return the threshold that maximises the F1 score of the outlier class.

    Of equally good thresholds the highest is taken; the threshold lies halfway
    between the last flagged error and the next one.
    """
    order = np.argsort(-errors, kind="stable")
    ranked, positive = errors[order], is_outlier[order]
    true_positives = np.cumsum(positive)
    n_flagged = np.arange(1, len(ranked) + 1)
    f1 = 2.0 * true_positives / (positive.sum() + n_flagged)
    # Cut only between distinct errors: tied errors are flagged together.
    f1[np.r_[ranked[:-1] == ranked[1:], False]] = -1.0
    last = int(np.argmax(f1))
    if last == len(ranked) - 1:
        return float(np.nextafter(ranked[-1], -np.inf))
    return float(ranked[last] / 2.0 + ranked[last + 1] / 2.0)


def outlier_mask(y) -> np.ndarray:
    """Return True for outliers, from booleans or labels in {0, 1} or {-1, +1}.

    1 marks an outlier among {0, 1}, -1 among {-1, +1} (as ``predict`` gives
    them); labels of one value only are read in the first of these that holds
    it.
    """
    y = np.asarray(y)
    if y.dtype == bool:
        return y
    values = set(np.unique(y).tolist())
    if values <= {0, 1}:
        return y == 1
    if values <= {-1, 1}:
        return y == -1
    raise ValueError(
        "y must hold both inliers and outliers, labelled {-1, +1} "
        "(-1 = outlier, as predict gives them) or {0, 1} (1 = outlier); "
        f"got the values {sorted(values, key=str)}. For normal samples "
        "only, pass y=None."
    )


def check_labels(y, n_samples: int) -> np.ndarray:
    """Return a boolean mask of outliers from labels in {-1, +1} or {0, 1}."""
    y = column_or_1d(y, warn=True)
    if len(y) != n_samples:
        raise ValueError(f"y has {len(y)} labels but X has {n_samples} samples.")
    is_outlier = outlier_mask(y)
    if is_outlier.all() or not is_outlier.any():
        raise ValueError(
            "y must hold both inliers and outliers; for normal samples only, "
            "pass y=None."
        )
    return np.asarray(is_outlier, dtype=bool)
