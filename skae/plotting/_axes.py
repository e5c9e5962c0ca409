"""Where a Display draws: a new figure, a given Axes, or a grid inside one."""

from __future__ import annotations

import numpy as np


def single_axes(ax, figsize: tuple[float, float] = (6.0, 4.0)):
    """Return ``(figure, ax)``: the given Axes, or one on a new figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        figure, ax = plt.subplots(figsize=figsize)
        return figure, ax
    return ax.figure, ax


def axes_grid(ax, nrows: int, ncols: int, figsize: tuple[float, float], **kwargs):
    """Return ``(figure, axes)``, an ``(nrows, ncols)`` array of Axes.

    On a new figure when ``ax`` is None; otherwise in the area of ``ax``, which
    is hidden and divided (as scikit-learn's multi-panel Displays do).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        figure = plt.figure(figsize=figsize)
        axes = figure.subplots(nrows, ncols, squeeze=False, **kwargs)
        return figure, axes
    figure = ax.figure
    ax.set_axis_off()
    grid = ax.get_subplotspec().subgridspec(nrows, ncols)
    axes = np.empty((nrows, ncols), dtype=object)
    for row in range(nrows):
        for col in range(ncols):
            share = {}
            if kwargs.get("sharex") and row > 0:
                share["sharex"] = axes[0, col]
            axes[row, col] = figure.add_subplot(grid[row, col], **share)
    return figure, axes


def clean_image_axes(ax) -> None:
    """Hide ticks and frame, for Axes that show an image."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def as_image(sample: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """Reshape one sample to ``(h, w)`` or ``(h, w, c)`` for ``imshow``."""
    image = np.asarray(sample, dtype=np.float64).reshape(image_shape)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3:
        # Colour images: imshow wants values in [0, 1].
        low, high = image.min(), image.max()
        image = (image - low) / (high - low) if high > low else image * 0
    return image
