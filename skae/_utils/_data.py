"""Validation of the data an autoencoder takes: any layout, one place.

Samples may be flat vectors ``(n, n_features)``, images ``(n, h, w[, c])`` or
sequences ``(n, steps, features)``. 2-D input goes through scikit-learn's
``validate_data`` (feature names, ``n_features_in_``); input of more axes through
``check_array(allow_nd=True)``. Either way the estimator records the layout of
one sample as ``input_shape_`` and ``n_features_in_`` as the number of values in
it, and later calls accept that layout or its flat 2-D form.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils.validation import check_array, validate_data


def _ndim(X) -> int:
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        try:
            ndim = np.asarray(X).ndim
        except ValueError:  # ragged nested lists: let check_array say so
            ndim = 2
    return ndim


def validate_samples(
    estimator, X, *, reset: bool, ensure_min_samples: int = 1, dtype=np.float32
) -> np.ndarray:
    """Return ``X`` as float32 in the layout fitted (or, with ``reset``, given).

    Parameters
    ----------
    estimator : estimator
        Gets ``input_shape_``, ``n_features_in_`` (and ``feature_names_in_``
        for named columns) when ``reset``; is checked against them otherwise.
    X : array-like of shape (n_samples, ...)
        The data: 2-D, or with more axes for images and sequences.
    reset : bool
        True in a fresh ``fit``.
    ensure_min_samples : int, default=1
        The fewest samples accepted.
    dtype : numpy dtype, default=np.float32
        The dtype returned.

    Returns
    -------
    ndarray of ``dtype``, C-contiguous, shape ``(n_samples, *input_shape_)``
    """
    options = dict(dtype=dtype, order="C", ensure_min_samples=ensure_min_samples)
    if _ndim(X) <= 2:
        X = validate_data(estimator, X, reset=reset, **options)
        if reset:
            estimator.input_shape_ = X.shape[1:]
        return X.reshape((X.shape[0], *estimator.input_shape_))
    X = check_array(X, allow_nd=True, **options)
    if reset:
        estimator.input_shape_ = X.shape[1:]
        estimator.n_features_in_ = math.prod(X.shape[1:])
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif X.shape[1:] != tuple(estimator.input_shape_):
        raise ValueError(
            f"X has samples of shape {X.shape[1:]}, but "
            f"{type(estimator).__name__} was fitted on samples of shape "
            f"{tuple(estimator.input_shape_)} (or their flat form of "
            f"{estimator.n_features_in_} features)."
        )
    return X


def validate_target(y, X: np.ndarray) -> np.ndarray | None:
    """Return ``y`` as the training target when it is one, else None.

    ``y`` is a target (``fit(X_noisy, X_clean)``) only when it has the shape of
    ``X`` as given, two axes or more; class labels (one axis) and anything of
    another shape are ignored, as scikit-learn's transformers ignore ``y``.
    """
    if y is None or _ndim(y) < 2 or tuple(np.shape(y)) != X.shape:
        return None
    return check_array(y, allow_nd=True, dtype=np.float32, order="C")


def check_unit_interval(X: np.ndarray, what: str = "X") -> None:
    """Raise ``ValueError`` unless every value of ``X`` lies in [0, 1]."""
    low, high = float(X.min()), float(X.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"loss='binary_crossentropy' needs data in [0, 1], but {what} ranges "
            f"over [{low:g}, {high:g}]. Scale it (e.g. MinMaxScaler) or use "
            "loss='mse'."
        )


def shuffled_split(arrays: list, fraction: float, seed: int):
    """Shuffle ``arrays`` (same rows) together; return (train, validation) lists.

    One shuffled copy of each array is made; train and validation are views
    into it.
    """
    n_samples = arrays[0].shape[0]
    n_validation = validation_size(n_samples, fraction)
    order = np.random.RandomState(seed).permutation(n_samples)
    shuffled = [array[order] for array in arrays]
    return [a[n_validation:] for a in shuffled], [a[:n_validation] for a in shuffled]


def validation_size(n: int, fraction: float, batches: bool = False) -> int:
    """Rows (or, with ``batches``, batches) held out: ``fraction`` of ``n``, at
    least one; raise ``ValueError`` if none is left to train on."""
    n_validation = max(1, round(fraction * n))
    if n - n_validation < 1:
        if batches:
            raise ValueError(
                f"validation_fraction={fraction} leaves no training batch out of "
                f"the PyDataset's {n} batch(es) (a PyDataset is split by batch); "
                "lower it or set early_stopping=False."
            )
        raise ValueError(
            f"validation_fraction={fraction} leaves no training sample out of "
            f"n_samples={n}; lower it or set early_stopping=False."
        )
    return n_validation
