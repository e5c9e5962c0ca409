"""Held-out reconstruction error against code size, autoencoders beside PCA."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.ticker import NullLocator
from sklearn.base import clone
from sklearn.decomposition import PCA

from ..metrics import round_trip_error
from ._axes import single_axes


class CodeSizeDisplay:
    """Reconstruction error of several models as the code grows.

    Create it with :meth:`from_estimator`, which fits every model at every
    code size, or give the constructor errors measured elsewhere.

    Parameters
    ----------
    n_components : sequence of int
        The code sizes, the x axis.
    errors : mapping of str to sequence of float
        For each model's name, its error at each code size.
    error_name : str, default="held-out MSE"
        The y label.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        One line per model.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae.plotting import CodeSizeDisplay
    >>> display = CodeSizeDisplay(
    ...     n_components=[2, 8, 32],
    ...     errors={"PCA": [0.05, 0.025, 0.005], "autoencoder": [0.03, 0.012, 0.004]},
    ... ).plot()
    >>> sorted(display.lines_)
    ['PCA', 'autoencoder']
    """

    def __init__(self, *, n_components, errors, error_name: str = "held-out MSE"):
        self.n_components = n_components
        self.errors = errors
        self.error_name = error_name

    def plot(self, ax=None) -> CodeSizeDisplay:
        """Draw one line per model, on logarithmic axes.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : CodeSizeDisplay
            This object, with its artists stored.
        """
        self.figure_, self.ax_ = single_axes(ax)
        sizes = np.asarray(self.n_components)
        self.lines_ = {}
        for name, values in self.errors.items():
            if len(values) != len(sizes):
                raise ValueError(
                    f"errors[{name!r}] has {len(values)} values for "
                    f"{len(sizes)} code sizes."
                )
            (self.lines_[name],) = self.ax_.plot(sizes, values, marker="o", label=name)
        self.ax_.set_xscale("log", base=2)
        self.ax_.set_yscale("log")
        self.ax_.set_xticks(sizes, [str(int(s)) for s in sizes])
        self.ax_.xaxis.set_minor_locator(NullLocator())
        self.ax_.set(xlabel="code size (n_components)", ylabel=self.error_name)
        self.ax_.legend()
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X_train,
        X_test,
        *,
        n_components: Sequence[int] = (2, 4, 8, 16),
        compare_pca: bool = True,
        ax=None,
    ) -> CodeSizeDisplay:
        """Fit each model at each code size; draw the error on ``X_test``.

        The error is :func:`skae.metrics.round_trip_error`, the mean squared
        error of ``inverse_transform(transform(X_test))``, the same for every
        model.

        Parameters
        ----------
        estimator : estimator or mapping of str to estimator
            An unfitted model with an ``n_components`` parameter (cloned and
            fitted once per size), or several, by name.
        X_train : array-like of shape (n_samples, ...)
            Training data.
        X_test : array-like of shape (n_samples, ...)
            Held-out data the errors are measured on.
        n_components : sequence of int, default=(2, 4, 8, 16)
            Code sizes to try.
        compare_pca : bool, default=True
            Also fit :class:`~sklearn.decomposition.PCA` at each size (on the
            samples flattened).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.

        Returns
        -------
        display : CodeSizeDisplay
        """
        models = (
            dict(estimator)
            if isinstance(estimator, Mapping)
            else {type(estimator).__name__: estimator}
        )
        errors = {}
        if compare_pca:
            flat_train = np.asarray(X_train).reshape(len(X_train), -1)
            flat_test = np.asarray(X_test).reshape(len(X_test), -1)
            errors["PCA"] = [
                round_trip_error(PCA(k).fit(flat_train), flat_test)
                for k in n_components
            ]
        for name, model in models.items():
            errors[name] = [
                round_trip_error(
                    clone(model).set_params(n_components=k).fit(X_train), X_test
                )
                for k in n_components
            ]
        display = cls(n_components=list(n_components), errors=errors)
        return display.plot(ax=ax)
