"""The decoded latent grid of a model with a two-dimensional code."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from sklearn.utils.validation import check_is_fitted

from ._axes import as_image, single_axes
from ._models import sample_layout


class LatentGridDisplay:
    """A mosaic of images decoded from a regular grid of 2-D codes.

    Each tile is ``inverse_transform`` of the code at its place; the axis
    ticks are the code values, in latent units. Create it with
    :meth:`from_estimator`.

    Parameters
    ----------
    images : ndarray of shape (n_rows, n_columns, h, w) or (..., h, w, c)
        Decoded images: row ``i`` (from the top) at ``y_values[i]``, column
        ``j`` at ``x_values[j]``.
    x_values : ndarray of shape (n_columns,)
        Code values along the first latent dimension.
    y_values : ndarray of shape (n_rows,)
        Code values along the second latent dimension, decreasing from the
        top row.

    Attributes
    ----------
    image_ : matplotlib AxesImage
        The mosaic.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae import VariationalAutoencoder
    >>> from skae.plotting import LatentGridDisplay
    >>> X = load_digits().data[:300] / 16
    >>> vae = VariationalAutoencoder(2, epochs=3, random_state=0).fit(X)
    >>> display = LatentGridDisplay.from_estimator(
    ...     vae, n_points=5, image_shape=(8, 8)
    ... )
    >>> display.image_.get_array().shape
    (40, 40)
    """

    def __init__(self, *, images, x_values, y_values):
        self.images = images
        self.x_values = x_values
        self.y_values = y_values

    def plot(self, ax=None) -> LatentGridDisplay:
        """Draw the mosaic.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : LatentGridDisplay
            This object, with its artists stored.
        """
        self.figure_, self.ax_ = single_axes(ax, figsize=(7.0, 7.0))
        images = np.asarray(self.images, dtype=np.float64)
        n_rows, n_columns, height, width = images.shape[:4]
        # (rows, columns, h, w[, c]) -> (rows * h, columns * w[, c])
        mosaic = np.moveaxis(images, 2, 1).reshape(
            n_rows * height, n_columns * width, *images.shape[4:]
        )
        self.image_ = self.ax_.imshow(mosaic, cmap="gray")
        x_values = np.asarray(self.x_values)
        y_values = np.asarray(self.y_values)
        self.ax_.set_xticks(width * (np.arange(n_columns) + 0.5) - 0.5)
        self.ax_.set_xticklabels([f"{v:.2f}" for v in x_values], rotation=90)
        self.ax_.set_yticks(height * (np.arange(n_rows) + 0.5) - 0.5)
        self.ax_.set_yticklabels([f"{v:.2f}" for v in y_values])
        self.ax_.set(xlabel="code 1", ylabel="code 2")
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        *,
        n_points: int = 15,
        quantile_range: tuple[float, float] = (0.05, 0.95),
        image_shape=None,
        ax=None,
    ) -> LatentGridDisplay:
        """Decode a grid of codes spread over the model's latent space.

        Parameters
        ----------
        estimator : fitted estimator with a 2-D code
            A :class:`~skae.VariationalAutoencoder` (the grid follows the
            quantiles of its standard normal prior) or any other
            autoencoder with ``n_components_ == 2`` (the grid follows the
            quantiles of the codes of ``X``).
        X : array-like of shape (n_samples, ...), default=None
            Samples whose codes set the grid; needed unless the model is
            variational, ignored when it is.
        n_points : int, default=15
            Codes per dimension: ``n_points ** 2`` tiles.
        quantile_range : tuple of float, default=(0.05, 0.95)
            The lowest and highest quantile on each axis (of the prior, or of
            the codes of ``X``).
        image_shape : tuple of int, default=None
            Shape of one decoded image; a convolutional model's own when
            omitted.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : LatentGridDisplay
        """
        check_is_fitted(estimator)
        n_components = getattr(estimator, "n_components_", None)
        if n_components is None:
            n_components = getattr(estimator, "n_components", None)
        if n_components != 2:
            raise ValueError(
                "A latent grid needs a model with a 2-D code; this one has "
                f"{n_components} dimensions. Draw its codes with "
                "LatentSpaceDisplay instead."
            )
        low, high = quantile_range
        if not 0 < low < high < 1:
            raise ValueError(
                f"quantile_range must satisfy 0 < low < high < 1, got {quantile_range}."
            )
        layout, shape = sample_layout(estimator, image_shape)
        if layout != "image":
            raise ValueError(
                f"{type(estimator).__name__} does not decode images; pass "
                "image_shape to draw its outputs as images."
            )
        quantiles = np.linspace(low, high, n_points)
        if hasattr(estimator, "sample"):  # variational: the prior's quantiles
            x_values = y_values = norm.ppf(quantiles)
        elif X is None:
            raise ValueError(
                f"{type(estimator).__name__} has no prior: pass X, whose codes' "
                "quantiles place the grid."
            )
        else:
            codes = np.asarray(estimator.transform(X), dtype=np.float64)
            x_values = np.quantile(codes[:, 0], quantiles)
            y_values = np.quantile(codes[:, 1], quantiles)
        y_values = y_values[::-1]  # highest code at the top
        grid = np.stack(np.meshgrid(x_values, y_values), axis=-1).reshape(-1, 2)
        decoded = np.asarray(estimator.inverse_transform(grid.astype(np.float32)))
        images = np.stack([as_image(sample, shape) for sample in decoded])
        images = images.reshape(n_points, n_points, *images.shape[1:])
        display = cls(images=images, x_values=x_values, y_values=y_values)
        return display.plot(ax=ax)
