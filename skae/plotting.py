"""The seeds' two figures in one call each: loss curves and image reconstructions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
