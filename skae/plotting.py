"""The tutorial's figures in one call each: loss curves and image reconstructions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .outlier import has_marginal_part


def plot_loss_history(estimator, ax=None, title: str | None = None):
    """Plot the training (and validation) loss of a fitted estimator per epoch.

    Parameters
    ----------
    estimator : fitted skae estimator
        Anything with ``loss_curve_`` and ``validation_loss_curve_``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Axes title; defaults to the estimator's class name.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(estimator.loss_curve_) + 1)
    ax.plot(epochs, estimator.loss_curve_, label="train")
    if len(estimator.validation_loss_curve_):
        ax.plot(epochs, estimator.validation_loss_curve_, label="validation")
    if getattr(estimator, "best_epoch_", None):
        ax.axvline(estimator.best_epoch_, color="grey", linestyle=":", label="best")
    ax.set(
        xlabel="epoch",
        ylabel=f"loss ({estimator.loss})",
        title=title or type(estimator).__name__,
    )
    ax.legend()
    return ax


def plot_reconstructions(
    images,
    reconstructions,
    *,
    image_shape: Sequence[int] = (28, 28),
    n_images: int = 10,
    row_titles: Sequence[str] = ("original", "reconstruction"),
    fig=None,
):
    """Show images above their reconstructions (or any rows of images), in grey.

    Parameters
    ----------
    images : array-like of shape (n_samples, n_pixels) or (n_samples, *image_shape)
        The first row.
    reconstructions : array-like, same layout, or a list of such arrays
        The following row(s), e.g. ``estimator.predict(images)``; pass a list to
        show several (noisy input, denoised output, ...).
    image_shape : sequence of int, default=(28, 28)
        Height and width of one image.
    n_images : int, default=10
        Columns to show.
    row_titles : sequence of str
        One title per row.
    fig : matplotlib Figure, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not isinstance(reconstructions, list):
        reconstructions = [reconstructions]
    rows = [np.asarray(images)] + [np.asarray(r) for r in reconstructions]
    n_images = min(n_images, *(len(r) for r in rows))
    if fig is None:
        fig = plt.figure(figsize=(1.6 * n_images, 1.8 * len(rows)))
    axes = fig.subplots(len(rows), n_images, squeeze=False)
    for r, row in enumerate(rows):
        for c in range(n_images):
            ax = axes[r, c]
            ax.imshow(row[c].reshape(tuple(image_shape)), cmap="gray")
            ax.set_xticks([])
            ax.set_yticks([])
        if r < len(row_titles):
            axes[r, 0].set_ylabel(row_titles[r])
    return fig


def plot_error_histogram(detector, X, y=None, *, bins: int = 50, ax=None):
    """Plot the histogram of a detector's errors on ``X`` with its threshold.

    Parameters
    ----------
    detector : fitted ReconstructionOutlierDetector
        A fitted detector (anything with ``anomaly_score`` and ``threshold_``).
    X : array-like of shape (n_samples, n_features)
        Data to score.
    y : array-like of shape (n_samples,), optional
        Labels, 1 (or -1, as ``predict`` gives them) for outliers, 0 (or +1)
        for inliers: the two groups are drawn in two colours.
    bins : int, default=50
        Number of bins, spaced evenly on a logarithmic axis when all errors
        are positive, unless the errors are already logarithms (a detector
        with a marginal part, whose error is a sum of ``-log`` tail
        probabilities).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    errors = detector.anomaly_score(X)
    already_log = has_marginal_part(detector)
    log_scale = bool(np.all(errors > 0)) and not already_log
    values = np.r_[errors, detector.threshold_]
    if log_scale and detector.threshold_ > 0:
        edges = np.geomspace(values.min(), values.max(), bins + 1)
    else:
        edges = np.linspace(values.min(), values.max(), bins + 1)
    if y is None:
        ax.hist(errors, bins=edges, color="tab:blue", label="samples")
    else:
        y = np.asarray(y)
        outlier = (y == 1) if set(np.unique(y).tolist()) <= {0, 1} else (y == -1)
        ax.hist(errors[~outlier], bins=edges, alpha=0.7, label="inliers")
        ax.hist(errors[outlier], bins=edges, alpha=0.7, label="outliers")
    ax.axvline(
        detector.threshold_,
        color="black",
        linestyle="--",
        label=f"threshold ({detector.threshold_rule_})",
    )
    if log_scale and detector.threshold_ > 0:
        ax.set_xscale("log")
    xlabel = "error (sum of -log tail probabilities)" if already_log else "error"
    ax.set(xlabel=xlabel, ylabel="samples")
    ax.legend()
    return ax


def plot_series_scores(detector, series, *, anomalies=None, start: int = 0, fig=None):
    """Plot a series above its anomaly score over time, with the threshold.

    Parameters
    ----------
    detector : fitted TimeSeriesOutlierDetector
        Anything with ``score_samples`` per time point and ``offset_``.
    series : array-like of shape (n_times,) or (n_times, n_features)
        The series to score and draw (every feature on the top axes).
    anomalies : array-like of shape (n_times,) or (n_intervals, 2), optional
        The true anomalies: labels per time point (1 or True for anomalous),
        or ``[start, stop)`` intervals; shaded on both axes.
    start : int, default=0
        Time index of the first point of ``series`` (for the x axis).
    fig : matplotlib Figure, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the series, and the anomaly score (``-score_samples``) with
        the threshold (``-offset_``) and the stretches ``predict`` flags.
    """
    import matplotlib.pyplot as plt

    from .timeseries import mask_to_intervals

    values = np.asarray(series, dtype=np.float64)
    anomaly = -detector.score_samples(values)
    threshold = -detector.offset_
    time_axis = start + np.arange(len(values))
    if fig is None:
        fig = plt.figure(figsize=(10, 5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(time_axis, values.reshape(len(values), -1), linewidth=0.6)
    top.set(ylabel="value")
    bottom.plot(time_axis, anomaly, color="tab:blue", linewidth=0.8, label="score")
    bottom.axhline(threshold, color="black", linestyle="--", label="threshold")
    for begin, stop in mask_to_intervals(anomaly > threshold):
        bottom.axvspan(start + begin, start + stop, color="tab:orange", alpha=0.3)
    if anomalies is not None:
        marks = np.asarray(anomalies)
        if marks.ndim == 1:
            marks = mask_to_intervals(marks.astype(bool))
        for i, (begin, stop) in enumerate(marks):
            for ax in (top, bottom):
                ax.axvspan(
                    start + begin,
                    start + stop,
                    color="tab:red",
                    alpha=0.2,
                    label="true anomaly" if i == 0 and ax is bottom else None,
                )
    bottom.set(xlabel="time", ylabel="anomaly score")
    bottom.legend(loc="upper right")
    return fig
