"""Training history: loss and validation loss per epoch, best epoch marked."""

from __future__ import annotations

import numpy as np

from ._axes import single_axes
from ._models import trained_network


class TrainingHistoryDisplay:
    """Loss per epoch of a trained autoencoder, with the best epoch marked.

    Create it with :meth:`from_estimator`; the constructor takes the curves
    themselves (for a history recorded elsewhere).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss per epoch.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss per epoch, if any was measured.
    best_epoch : int, default=None
        The epoch (counted from 1) whose weights were kept.
    loss_name : str, default=None
        The loss, for the y label.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss.
    validation_line_ : matplotlib Line2D or None
        The validation loss.
    best_epoch_line_ : matplotlib Line2D or None
        Vertical line at the best epoch.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenseAutoencoder
    >>> from skae.plotting import TrainingHistoryDisplay
    >>> X = load_digits().data[:300] / 16
    >>> model = DenseAutoencoder(4, epochs=5, random_state=0).fit(X)
    >>> display = TrainingHistoryDisplay.from_estimator(model)
    >>> len(display.line_.get_xdata())
    5
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        best_epoch=None,
        loss_name=None,
        estimator_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.best_epoch = best_epoch
        self.loss_name = loss_name
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name: str | None = None) -> TrainingHistoryDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.
        name : str, default=None
            Title; ``estimator_name`` when omitted.

        Returns
        -------
        display : TrainingHistoryDisplay
            This object, with its artists stored.
        """
        self.figure_, self.ax_ = single_axes(ax)
        loss = np.asarray(self.loss_curve, dtype=np.float64)
        epochs = np.arange(1, len(loss) + 1)
        (self.line_,) = self.ax_.plot(epochs, loss, label="training")
        self.validation_line_ = None
        validation = self.validation_loss_curve
        if validation is not None and len(validation):
            (self.validation_line_,) = self.ax_.plot(
                epochs, np.asarray(validation, dtype=np.float64), label="validation"
            )
        self.best_epoch_line_ = None
        if self.best_epoch:
            self.best_epoch_line_ = self.ax_.axvline(
                self.best_epoch,
                color="grey",
                linestyle=":",
                label=f"best epoch ({self.best_epoch})",
            )
        ylabel = f"loss ({self.loss_name})" if self.loss_name else "loss"
        self.ax_.set(xlabel="epoch", ylabel=ylabel, title=name or self.estimator_name)
        self.ax_.legend()
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, name: str | None = None
    ) -> TrainingHistoryDisplay:
        """Draw the history of a fitted skae autoencoder.

        Parameters
        ----------
        estimator : fitted skae estimator
            An autoencoder, or a Pipeline, outlier detector or time-series
            detector holding one.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when omitted.
        name : str, default=None
            Title; the estimator's class name when omitted.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        network = trained_network(estimator)
        loss = getattr(network, "loss", None)
        display = cls(
            loss_curve=network.loss_curve_,
            validation_loss_curve=network.validation_loss_curve_,
            best_epoch=getattr(network, "best_epoch_", None),
            loss_name=loss if isinstance(loss, str) else None,
            estimator_name=type(network).__name__,
        )
        return display.plot(ax=ax, name=name)
