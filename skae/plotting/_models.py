"""What a Display needs to know of an estimator: its network and its sample layout."""

from __future__ import annotations

import math

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

# How samples look, which decides how a Display draws them.
LAYOUTS = ("image", "series", "features")


def trained_network(estimator):
    """Return the fitted skae autoencoder inside ``estimator``.

    The estimator itself when it has a loss curve; otherwise the model inside a
    Pipeline's last step, an outlier detector (``estimator_``) or a time-series
    detector (``detector_``).
    """
    check_is_fitted(estimator)
    current = estimator
    for _ in range(4):
        if hasattr(current, "loss_curve_"):
            return current
        if isinstance(current, Pipeline):
            current = current[-1]
        elif hasattr(current, "detector_"):
            current = current.detector_
        elif hasattr(current, "estimator_"):
            current = current.estimator_
        else:
            break
    raise TypeError(
        f"{type(estimator).__name__} holds no trained skae autoencoder (nothing "
        "with a loss_curve_)."
    )


def sample_layout(estimator, image_shape=None) -> tuple[str, tuple[int, ...]]:
    """Return ``(layout, shape)`` of one sample as the estimator's network sees it.

    ``image_shape`` when given makes it an image. Otherwise a convolutional
    network's ``(h, w, c)`` input is an image, and so are the samples of a
    dense network fitted on ``(n, h, w)`` arrays; a recurrent network's
    ``(steps, features)`` input is a series, anything else a row of features.
    """
    if image_shape is not None:
        return "image", tuple(int(v) for v in image_shape)
    shape = getattr(estimator, "_network_shape", None)
    if shape is None:
        return "features", (int(estimator.n_features_in_),)
    shape = tuple(int(v) for v in shape)
    fitted = tuple(getattr(estimator, "input_shape_", shape))
    if len(shape) == 1 and len(fitted) in (2, 3):  # a dense model fitted on images
        return "image", fitted
    if len(shape) == 3:
        return "image", shape
    if len(shape) == 2:
        return "series", shape
    return "features", shape


def data_layout(X: np.ndarray, image_shape=None) -> tuple[str, tuple[int, ...]]:
    """Return ``(layout, shape)`` guessed from an array of samples alone.

    ``(n, h, w)`` and ``(n, h, w, c)`` arrays are images, ``(n, d)`` rows of
    features, unless ``image_shape`` says they are flattened images.
    """
    if image_shape is not None:
        shape = tuple(int(v) for v in image_shape)
        if math.prod(shape) != math.prod(X.shape[1:]):
            raise ValueError(
                f"image_shape={shape} holds {math.prod(shape)} values, but each "
                f"sample has {math.prod(X.shape[1:])}."
            )
        return "image", shape
    if X.ndim in (3, 4):
        return "image", tuple(X.shape[1:])
    if X.ndim == 2:
        return "features", (X.shape[1],)
    raise ValueError(f"Expected samples in a 2-D to 4-D array, got shape {X.shape}.")


def reconstruct(estimator, X) -> np.ndarray:
    """Return ``inverse_transform(transform(X))``: any autoencoder, PCA too."""
    check_is_fitted(estimator)
    return np.asarray(estimator.inverse_transform(estimator.transform(X)))


def detector_scores(detector, X) -> tuple[np.ndarray, float]:
    """Return ``(anomaly scores, threshold)``: higher scores are more anomalous.

    skae detectors give ``anomaly_score`` and ``threshold_``; any scikit-learn
    outlier detector gives ``-score_samples`` and ``-offset_``.
    """
    check_is_fitted(detector)
    if hasattr(detector, "anomaly_score") and hasattr(detector, "threshold_"):
        return np.asarray(detector.anomaly_score(X)), float(detector.threshold_)
    if hasattr(detector, "score_samples") and hasattr(detector, "offset_"):
        return -np.asarray(detector.score_samples(X)), -float(detector.offset_)
    raise TypeError(
        f"{type(detector).__name__} is not a fitted outlier detector with "
        "score_samples and offset_."
    )
