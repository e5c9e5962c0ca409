"""Which features made a sample anomalous: its reconstruction error per feature."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._axes import as_image, clean_image_axes, single_axes
from ._models import reconstruct, sample_layout, trained_network


def feature_errors(model, X) -> np.ndarray:
    """Return the reconstruction error of every value of every sample.

    skae models and detectors give their own (in their loss and scaling);
    any other transformer the squared error of its round trip.
    """
    check_is_fitted(model)
    if hasattr(model, "reconstruction_error"):
        return np.asarray(model.reconstruction_error(X, per_feature=True))
    X = np.asarray(X, dtype=np.float64)
    return np.square(X - reconstruct(model, X).reshape(X.shape))


class FeatureErrorDisplay:
    """The reconstruction error of one sample, feature by feature.

    For rows of features: horizontal bars for the largest errors, largest on
    top. For images: the error of every pixel as a heat map. For series: the
    error of every step, one line per feature. Create it with
    :meth:`from_estimator`.

    Parameters
    ----------
    errors : ndarray of shape (n_features,) or (h, w[, c]) or (steps, features)
        The sample's error per value.
    layout : {"features", "image", "series"}, default="features"
        How to draw the errors.
    feature_names : sequence of str, default=None
        Names of the features (rows of features only); ``x0, x1, ...`` when
        omitted.
    max_features : int, default=10
        How many of the largest errors to draw (rows of features only).
    title : str, default=None
        Axes title.

    Attributes
    ----------
    bars_ : matplotlib BarContainer or None
        The bars (rows of features).
    image_ : matplotlib AxesImage or None
        The heat map (images).
    colorbar_ : matplotlib Colorbar or None
        Its colour scale.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae.plotting import FeatureErrorDisplay
    >>> display = FeatureErrorDisplay(
    ...     errors=np.array([0.1, 3.0, 0.2]), feature_names=["a", "b", "c"]
    ... ).plot()
    >>> [label.get_text() for label in display.ax_.get_yticklabels()]  # bottom up
    ['a', 'c', 'b']
    """

    def __init__(
        self,
        *,
        errors,
        layout: str = "features",
        feature_names=None,
        max_features: int = 10,
        title=None,
    ):
        self.errors = errors
        self.layout = layout
        self.feature_names = feature_names
        self.max_features = max_features
        self.title = title

    def plot(self, ax=None) -> FeatureErrorDisplay:
        """Draw the errors.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : FeatureErrorDisplay
            This object, with its artists stored.
        """
        self.figure_, self.ax_ = single_axes(ax)
        errors = np.asarray(self.errors, dtype=np.float64)
        self.bars_ = self.image_ = self.colorbar_ = None
        if self.layout == "image":
            self.image_ = self.ax_.imshow(as_image(errors, errors.shape), cmap="magma")
            self.colorbar_ = self.figure_.colorbar(self.image_, ax=self.ax_)
            self.colorbar_.set_label("reconstruction error")
            clean_image_axes(self.ax_)
        elif self.layout == "series":
            steps = errors.reshape(len(errors), -1)
            self.ax_.plot(steps)
            self.ax_.set(xlabel="step", ylabel="reconstruction error")
        elif self.layout == "features":
            errors = errors.ravel()
            names = self.feature_names
            if names is None:
                names = [f"x{j}" for j in range(len(errors))]
            if len(names) != len(errors):
                raise ValueError(
                    f"feature_names has {len(names)} names for {len(errors)} features."
                )
            largest = np.argsort(errors, kind="stable")[::-1][: self.max_features]
            shown = largest[::-1]  # barh draws bottom-up: largest on top
            self.bars_ = self.ax_.barh(
                np.arange(len(shown)), errors[shown], color="tab:red"
            )
            self.ax_.set_yticks(np.arange(len(shown)), [str(names[j]) for j in shown])
            self.ax_.set(xlabel="reconstruction error")
        else:
            raise ValueError(
                f"layout must be 'features', 'image' or 'series', got {self.layout!r}."
            )
        self.ax_.set_title(self.title)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        sample: int | None = None,
        feature_names=None,
        max_features: int = 10,
        image_shape=None,
        ax=None,
    ) -> FeatureErrorDisplay:
        """Draw the per-feature error of one sample of ``X``.

        Parameters
        ----------
        estimator : fitted estimator
            A :class:`~skae.ReconstructionOutlierDetector` or skae autoencoder
            (their ``reconstruction_error(X, per_feature=True)``), or any
            transformer with ``inverse_transform`` (squared error).
        X : array-like of shape (n_samples, ...)
            Samples.
        sample : int, default=None
            Index of the sample in ``X``; the one with the largest total error
            when omitted.
        feature_names : sequence of str, default=None
            Names of the features; the estimator's ``feature_names_in_`` when
            it was fitted on a DataFrame.
        max_features : int, default=10
            How many of the largest errors to draw (rows of features).
        image_shape : tuple of int, default=None
            Draw the errors as an image of this shape.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : FeatureErrorDisplay
        """
        errors = feature_errors(estimator, X)
        totals = errors.reshape(len(errors), -1).mean(axis=1)
        if sample is None:
            sample = int(np.argmax(totals))
        elif not -len(errors) <= sample < len(errors):
            raise IndexError(f"sample={sample} is out of range for {len(errors)} rows.")
        layout, shape = "features", errors.shape[1:]
        if image_shape is not None:
            layout, shape = sample_layout(estimator, image_shape)
        elif errors.ndim > 2:
            try:
                layout, shape = sample_layout(trained_network(estimator))
            except TypeError:
                layout = "image"
        if feature_names is None:
            feature_names = getattr(estimator, "feature_names_in_", None)
        display = cls(
            errors=errors[sample].reshape(shape),
            layout=layout,
            feature_names=feature_names,
            max_features=max_features,
            title=f"sample {sample}: mean error {totals[sample]:.3g}",
        )
        return display.plot(ax=ax)
