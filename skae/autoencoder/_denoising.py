"""DenoisingAutoencoder: the dense autoencoder with Gaussian noise by default."""

from __future__ import annotations

import types

from .. import _persistence
from ._dense import DenseAutoencoder
from ._docs import fill_doc


def _with_defaults(init, **defaults):
    """Return a copy of the function ``init`` with other keyword defaults.

    The copy has the same code and so the same explicit signature, which
    scikit-learn reads to find an estimator's parameters.
    """
    copy = types.FunctionType(
        init.__code__, init.__globals__, init.__name__, init.__defaults__
    )
    copy.__kwdefaults__ = {**init.__kwdefaults__, **defaults}
    copy.__annotations__ = dict(init.__annotations__)
    copy.__doc__ = init.__doc__
    return copy


@_persistence.register
@fill_doc(noise_default='"gaussian"', batch_size_default="64")
class DenoisingAutoencoder(DenseAutoencoder):
    """Fully connected autoencoder trained to reconstruct clean data from noisy.

    A :class:`DenseAutoencoder` whose ``noise`` defaults to ``"gaussian"``:
    during training only, the inputs are corrupted before the encoder while
    the loss compares the output with the clean inputs. The network must learn
    the structure of the data rather than copy its input, which also makes an
    overcomplete code (wider than the input) useful. ``predict(X_noisy)``
    returns the denoised data. Every skae autoencoder takes the same ``noise``
    parameter; this class is the obvious name for the dense case. To train on
    noisy inputs you already have, use ``fit(X_noisy, X_clean)``.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code.
    {noise_parameters}
    hidden_layer_sizes, activation, code_activation, output_activation, loss, \
optimizer, learning_rate, learning_rate_schedule, batch_size, epochs, \
early_stopping, \
validation_fraction, n_iter_no_change, tol, dropout, batch_normalization, \
activity_l1, random_state, verbose, warm_start, callbacks
        As in :class:`~skae.DenseAutoencoder`.

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    DenseAutoencoder : The same network, with no noise by default.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenoisingAutoencoder
    >>> X = load_digits().data / 16
    >>> dae = DenoisingAutoencoder(16, hidden_layer_sizes=(64,), noise_level=0.3,
    ...                            epochs=5, random_state=0).fit(X)
    >>> noisy = np.clip(X + 0.3 * np.random.RandomState(0).normal(size=X.shape), 0, 1)
    >>> dae.predict(noisy).shape
    (1797, 64)
    """

    __init__ = _with_defaults(DenseAutoencoder.__init__, noise="gaussian")
