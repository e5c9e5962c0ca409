"""The latent space: codes as points, coloured by label."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._axes import single_axes

PROJECTIONS = ("pca", "tsne")
# Up to this many distinct labels get a colour and a legend entry each.
MAX_CATEGORIES = 20


def project_codes(codes: np.ndarray, projection: str | None, random_state=None):
    """Return ``(points, axis_labels)``: codes as 2-D points.

    Two-dimensional codes are drawn as they are. Wider codes need a
    projection: ``"pca"`` (their first two principal components, a linear
    view that keeps distances along the widest directions) or ``"tsne"``
    (scikit-learn's TSNE, which keeps neighbourhoods but not distances).
    """
    if codes.ndim != 2 or codes.shape[1] < 2:
        raise ValueError(
            "A latent space plot needs codes of at least 2 dimensions; got "
            f"codes of shape {codes.shape}."
        )
    if codes.shape[1] == 2:
        return codes, ("code 1", "code 2")
    if projection == "pca":
        from sklearn.decomposition import PCA

        points = PCA(2, random_state=random_state).fit_transform(codes)
        return points, ("principal component 1 of the codes", "component 2")
    if projection == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (len(codes) - 1) / 3)
        points = TSNE(2, perplexity=perplexity, random_state=random_state)
        return points.fit_transform(codes), ("t-SNE 1", "t-SNE 2")
    raise ValueError(
        f"The codes have {codes.shape[1]} dimensions; projection must be one of "
        f"{PROJECTIONS} to draw them in 2-D, got {projection!r}."
    )


class LatentSpaceDisplay:
    """Codes of samples as points in the plane, coloured by label.

    Create it with :meth:`from_estimator`; the constructor takes 2-D points.

    Parameters
    ----------
    points : ndarray of shape (n_samples, 2)
        The codes, or their 2-D projection.
    labels : array-like of shape (n_samples,), default=None
        Colours: up to 20 distinct labels get a colour each and a legend;
        more (or float values) a colour scale.
    axis_labels : tuple of str, default=("code 1", "code 2")
        Labels of the x and y axes.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    colorbar_ : matplotlib Colorbar or None
        The colour scale, for continuous labels.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae.plotting import LatentSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> display = LatentSpaceDisplay.from_estimator(PCA(2).fit(X), X, y)
    >>> display.scatter_.get_offsets().shape
    (1797, 2)
    """

    def __init__(self, *, points, labels=None, axis_labels=("code 1", "code 2")):
        self.points = points
        self.labels = labels
        self.axis_labels = axis_labels

    def plot(self, ax=None, *, point_size: float = 6.0) -> LatentSpaceDisplay:
        """Draw the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.
        point_size : float, default=6.0
            Marker area in points squared.

        Returns
        -------
        display : LatentSpaceDisplay
            This object, with its artists stored.
        """
        self.figure_, self.ax_ = single_axes(ax, figsize=(6.0, 5.0))
        points = np.asarray(self.points, dtype=np.float64)
        self.colorbar_ = None
        if self.labels is None:
            self.scatter_ = self.ax_.scatter(*points.T, s=point_size)
        else:
            labels = np.asarray(self.labels)
            classes = np.unique(labels)
            categorical = len(classes) <= MAX_CATEGORIES and (
                labels.dtype.kind not in "fc" or np.all(labels == np.round(labels))
            )
            if categorical:
                index = np.searchsorted(classes, labels)
                cmap = "tab10" if len(classes) <= 10 else "tab20"
                self.scatter_ = self.ax_.scatter(
                    *points.T,
                    c=index,
                    cmap=cmap,
                    s=point_size,
                    vmin=-0.5,
                    vmax=(10 if len(classes) <= 10 else 20) - 0.5,
                )
                handles, _ = self.scatter_.legend_elements()
                self.ax_.legend(
                    handles[: len(classes)],
                    [str(c) for c in classes],
                    title="label",
                    fontsize="small",
                    loc="best",
                )
            else:
                self.scatter_ = self.ax_.scatter(
                    *points.T, c=labels, cmap="viridis", s=point_size
                )
                self.colorbar_ = self.figure_.colorbar(self.scatter_, ax=self.ax_)
        self.ax_.set(xlabel=self.axis_labels[0], ylabel=self.axis_labels[1])
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        projection: str | None = "pca",
        random_state=None,
        ax=None,
    ) -> LatentSpaceDisplay:
        """Encode ``X`` and draw the codes, coloured by ``y``.

        Parameters
        ----------
        estimator : fitted estimator
            Anything with ``transform``: an autoencoder (a variational one
            gives the posterior means), PCA, a Pipeline.
        X : array-like of shape (n_samples, ...)
            Samples to encode.
        y : array-like of shape (n_samples,), default=None
            Labels to colour the points by.
        projection : {"pca", "tsne"} or None, default="pca"
            How codes of more than two dimensions are brought to the plane:
            their first two principal components (linear, keeps the widest
            spread) or t-SNE (keeps neighbourhoods, distorts distances).
            Ignored for 2-D codes; None refuses wider codes.
        random_state : int, RandomState instance or None, default=None
            Seeds the projection.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        check_is_fitted(estimator)
        codes = np.asarray(estimator.transform(X), dtype=np.float64)
        if codes.ndim > 2:
            codes = codes.reshape(len(codes), -1)
        points, axis_labels = project_codes(codes, projection, random_state)
        display = cls(points=points, labels=y, axis_labels=axis_labels)
        return display.plot(ax=ax)
