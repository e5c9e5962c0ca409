"""Originals over their reconstructions: images, series or rows of features."""

from __future__ import annotations

import numpy as np

from ._axes import as_image, axes_grid, clean_image_axes
from ._models import LAYOUTS, data_layout, reconstruct, sample_layout

X_LABELS = {"series": "step", "features": "feature"}
POINT_STYLES = {
    "original": {"linestyle": "none", "marker": "o", "markersize": 3, "color": "black"},
    "noisy input": {"linestyle": "none", "marker": "x", "color": "tab:grey"},
    "reconstruction": {"linestyle": "-", "color": "tab:blue"},
}
SERIES_STYLES = {
    "original": {"linestyle": "-", "color": "black", "linewidth": 1},
    "noisy input": {"linestyle": "-", "color": "tab:grey", "linewidth": 0.7},
    "reconstruction": {"linestyle": "--", "color": "tab:blue", "linewidth": 1},
}


class ReconstructionDisplay:
    """Samples above their reconstructions, optionally with the noisy input.

    Images are drawn as a grid (one column per sample: original, noisy input,
    reconstruction). Series get one panel per sample with the original steps
    solid and the reconstruction dashed; rows of features one panel per sample
    with the original values as dots and the reconstruction as a line.

    Create it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    originals : ndarray of shape (n_samples, ...)
        The samples.
    reconstructions : ndarray, same shape as ``originals``
        Their reconstructions.
    noisy : ndarray, same shape as ``originals``, default=None
        The corrupted inputs that were reconstructed (for denoising).
    layout : {"image", "series", "features"}, default="features"
        How one sample is drawn.
    sample_shape : tuple of int, default=None
        The shape of one sample for the layout: ``(h, w)`` or ``(h, w, c)``
        for images, ``(steps, features)`` for series. The samples' own shape
        when omitted.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        Shape ``(n_rows, n_samples)`` for images (a row per kind: original,
        noisy, reconstruction), ``(1, n_samples)`` otherwise.
    images_ : list of matplotlib AxesImage
        The images drawn (empty unless ``layout="image"``).
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plotting import ReconstructionDisplay
    >>> X = load_digits().data / 16
    >>> pca = PCA(8).fit(X)
    >>> display = ReconstructionDisplay.from_estimator(
    ...     pca, X, n_samples=5, image_shape=(8, 8)
    ... )
    >>> display.axes_.shape
    (2, 5)
    """

    def __init__(
        self,
        *,
        originals,
        reconstructions,
        noisy=None,
        layout: str = "features",
        sample_shape=None,
    ):
        self.originals = originals
        self.reconstructions = reconstructions
        self.noisy = noisy
        self.layout = layout
        self.sample_shape = sample_shape

    def plot(self, ax=None) -> ReconstructionDisplay:
        """Draw the samples.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Area to divide into the panels; a new figure when omitted.

        Returns
        -------
        display : ReconstructionDisplay
            This object, with its artists stored.
        """
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {self.layout!r}.")
        rows = [("original", np.asarray(self.originals))]
        if self.noisy is not None:
            rows.append(("noisy input", np.asarray(self.noisy)))
        rows.append(("reconstruction", np.asarray(self.reconstructions)))
        n_samples = min(len(values) for _, values in rows)
        shape = self.sample_shape or rows[0][1].shape[1:]
        self.images_ = []
        if self.layout == "image":
            self.figure_, self.axes_ = axes_grid(
                ax, len(rows), n_samples, (1.3 * n_samples, 1.4 * len(rows))
            )
            for r, (title, values) in enumerate(rows):
                for c in range(n_samples):
                    image = as_image(values[c], shape)
                    self.images_.append(self.axes_[r, c].imshow(image, cmap="gray"))
                    clean_image_axes(self.axes_[r, c])
                self.axes_[r, 0].set_ylabel(
                    title, rotation=0, ha="right", va="center", fontsize="small"
                )
            return self
        self.figure_, self.axes_ = axes_grid(
            ax, 1, n_samples, (2.6 * n_samples, 2.6), sharey=True
        )
        for c in range(n_samples):
            panel = self.axes_[0, c]
            for title, values in rows:
                style = (SERIES_STYLES if self.layout == "series" else POINT_STYLES)[
                    title
                ]
                drawn = np.asarray(values[c], dtype=np.float64)
                if self.layout == "series":
                    drawn = drawn.reshape(int(shape[0]), -1)
                lines = panel.plot(drawn.reshape(len(drawn), -1), **style)
                lines[0].set_label(title if c == 0 else "_nolegend_")
            panel.set(title=f"sample {c}", xlabel=X_LABELS[self.layout])
        self.axes_[0, 0].legend(fontsize="small")
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        X_noisy=None,
        n_samples: int = 8,
        image_shape=None,
        ax=None,
    ) -> ReconstructionDisplay:
        """Draw the first samples of ``X`` over the estimator's reconstructions.

        Parameters
        ----------
        estimator : fitted estimator
            Any autoencoder or transformer with ``transform`` and
            ``inverse_transform`` (PCA too).
        X : array-like of shape (n_samples, ...)
            The clean samples.
        X_noisy : array-like, same shape as ``X``, default=None
            Corrupted versions of ``X``: reconstructed instead of ``X`` and
            drawn in a row of their own (to show denoising).
        n_samples : int, default=8
            How many samples to draw.
        image_shape : tuple of int, default=None
            Draw samples as images of this shape. A convolutional model's
            samples are images and a recurrent model's are series without
            it; other samples are rows of features.
        ax : matplotlib Axes, default=None
            Area to divide into the panels; a new figure when omitted.

        Returns
        -------
        display : ReconstructionDisplay
        """
        X = np.asarray(X)[:n_samples]
        noisy = None if X_noisy is None else np.asarray(X_noisy)[:n_samples]
        reconstructions = reconstruct(estimator, X if noisy is None else noisy)
        if hasattr(estimator, "n_features_in_") and hasattr(estimator, "loss_curve_"):
            layout, shape = sample_layout(estimator, image_shape)
        else:
            layout, shape = data_layout(X, image_shape)
        display = cls(
            originals=X,
            reconstructions=reconstructions,
            noisy=noisy,
            layout=layout,
            sample_shape=shape,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_predictions(
        cls,
        X,
        X_reconstructed,
        *,
        X_noisy=None,
        n_samples: int = 8,
        image_shape=None,
        ax=None,
    ) -> ReconstructionDisplay:
        """Draw samples over reconstructions computed elsewhere.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The clean samples.
        X_reconstructed : array-like, same shape as ``X``
            Their reconstructions.
        X_noisy : array-like, same shape as ``X``, default=None
            The corrupted inputs, drawn in a row of their own.
        n_samples : int, default=8
            How many samples to draw.
        image_shape : tuple of int, default=None
            Draw flat samples as images of this shape. ``(n, h, w)`` and
            ``(n, h, w, c)`` arrays are images without it, 2-D arrays rows
            of features.
        ax : matplotlib Axes, default=None
            Area to divide into the panels; a new figure when omitted.

        Returns
        -------
        display : ReconstructionDisplay
        """
        X = np.asarray(X)[:n_samples]
        reconstructed = np.asarray(X_reconstructed)[:n_samples]
        if reconstructed.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"X_reconstructed has samples of shape {reconstructed.shape[1:]}, "
                f"X of shape {X.shape[1:]}."
            )
        layout, shape = data_layout(X, image_shape)
        noisy = None if X_noisy is None else np.asarray(X_noisy)[:n_samples]
        display = cls(
            originals=X,
            reconstructions=reconstructed,
            noisy=noisy,
            layout=layout,
            sample_shape=shape,
        )
        return display.plot(ax=ax)
