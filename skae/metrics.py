"""The round-trip error of any transformer with ``inverse_transform``.

Named apart from the estimators' ``reconstruction_error`` (their per-sample
training loss): this is one number, the mean squared error of the round trip
``inverse_transform(transform(X))``. It puts PCA and autoencoders on equal
terms: one ``GridSearchCV`` can compare ``PCA()`` and ``DenseAutoencoder()`` by
how well they reconstruct held-out data.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_array


def round_trip_error(estimator, X) -> float:
    """Return the mean squared error between ``X`` and its round trip.

    Parameters
    ----------
    estimator : fitted transformer or pipeline
        Anything with ``transform`` and ``inverse_transform`` (PCA, a skae
        autoencoder, a Pipeline of such steps).
    X : array-like of shape (n_samples, n_features)
        Data to reconstruct.

    Returns
    -------
    float
        ``mean((X - inverse_transform(transform(X))) ** 2)``, over all entries.
    """
    X_checked = check_array(X, dtype=(np.float64, np.float32), allow_nd=True)
    reconstruction = estimator.inverse_transform(estimator.transform(X))
    reconstruction = np.asarray(reconstruction, dtype=np.float64).reshape(
        X_checked.shape
    )
    return float(np.mean(np.square(X_checked - reconstruction)))


def round_trip_scorer(estimator, X, y=None) -> float:
    """Scorer: minus :func:`round_trip_error` (higher is better).

    Pass it as ``scoring=round_trip_scorer`` to ``GridSearchCV`` or
    ``cross_val_score``.

    Parameters
    ----------
    estimator : fitted transformer or pipeline
        Anything with ``transform`` and ``inverse_transform``.
    X : array-like of shape (n_samples, n_features)
        Held-out data.
    y : None
        Ignored.

    Returns
    -------
    float
    """
    return -round_trip_error(estimator, X)
