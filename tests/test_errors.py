"""Bad input gets a clear error and leaves the estimator as it was."""

import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skae import DenseAutoencoder

FAST = dict(epochs=2, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def fitted(small_X):
    return DenseAutoencoder(2, **FAST).fit(small_X)


def assert_unchanged_after(estimator, call):
    before = dict(vars(estimator))
    weights = (
        [w.copy() for w in estimator.model_.get_weights()]
        if hasattr(estimator, "model_")
        else None
    )
    call()
    assert vars(estimator).keys() == before.keys()
    assert all(vars(estimator)[k] is before[k] for k in before)
    if weights is not None:
        for w, w_after in zip(weights, estimator.model_.get_weights(), strict=True):
            np.testing.assert_array_equal(w, w_after)


def test_failed_fit_keeps_a_fitted_estimator_intact(fitted, small_X):
    def refit_with_nan():
        with pytest.raises(ValueError, match="NaN"):
            fitted.fit(np.full_like(small_X, np.nan))

    assert_unchanged_after(fitted, refit_with_nan)


def test_wrong_number_of_features(fitted, small_X):
    with pytest.raises(
        ValueError, match="X has 10 features, but DenseAutoencoder is expecting 64"
    ):
        fitted.transform(small_X[:, :10])
    with pytest.raises(ValueError, match="expecting 2 code features"):
        fitted.inverse_transform(np.zeros((3, 5)))


def test_warm_start_with_other_width_fails_cleanly(small_X):
    est = DenseAutoencoder(2, warm_start=True, **FAST).fit(small_X)
    assert_unchanged_after(
        est, lambda: pytest.raises(ValueError, est.fit, small_X[:, :5])
    )


def test_binary_crossentropy_needs_unit_interval(small_X):
    est = DenseAutoencoder(2, loss="binary_crossentropy", **FAST)
    with pytest.raises(ValueError, match=r"needs data in \[0, 1\].*\[0, 16\]"):
        est.fit(small_X * 16)
    assert not hasattr(est, "n_features_in_")


def test_unfitted_use():
    est = DenseAutoencoder()
    for method in (
        "transform",
        "inverse_transform",
        "predict",
        "score_samples",
        "score",
    ):
        with pytest.raises(NotFittedError):
            getattr(est, method)(np.ones((3, 2)))
    with pytest.raises(NotFittedError):
        est.get_feature_names_out()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": 0}, "n_components must be an int in"),
        ({"n_components": 2.5}, "n_components must be an int"),
        ({"hidden_layer_sizes": (8, -1)}, "hidden_layer_sizes"),
        ({"activation": "nope"}, "activation must be a Keras activation"),
        ({"loss": "hinge"}, "loss must be one of"),
        ({"optimizer": "nope"}, "optimizer must be the name"),
        ({"learning_rate": 0}, "learning_rate must be a float in"),
        ({"learning_rate": float("inf")}, "learning_rate must be a float in"),
        ({"tol": float("nan")}, "tol must be a float in"),
        ({"batch_size": 0}, "batch_size must be an int in"),
        ({"epochs": 0}, "epochs must be an int in"),
        ({"validation_fraction": 1.0}, "validation_fraction must be a float in"),
        ({"dropout": 1.0}, "dropout must be a float in"),
        ({"verbose": 3}, "verbose must be 0, 1 or 2"),
        ({"early_stopping": "yes"}, "early_stopping must be a bool"),
        ({"callbacks": ["x"]}, "callbacks must be"),
    ],
)
def test_invalid_parameters(small_X, params, match):
    est = DenseAutoencoder(**{**FAST, **params})
    with pytest.raises(ValueError, match=match):
        est.fit(small_X)


def test_too_few_samples_for_validation():
    with pytest.raises(ValueError, match="leaves no training sample"):
        DenseAutoencoder(validation_fraction=0.9, **FAST).fit(np.ones((2, 3)))


class ExplodeAfterFirstEpoch(keras.callbacks.Callback):
    """Sets an absurd learning rate once the first epoch has finished."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.model.optimizer.learning_rate.assign(1e30)


def test_divergence_in_warm_start_restores_previous_weights(small_X):
    est = DenseAutoencoder(2, optimizer="sgd", warm_start=True, **FAST).fit(small_X)
    est.model_.optimizer.learning_rate.assign(1e30)

    def diverge():
        with pytest.raises(FloatingPointError, match="No epoch finished"):
            est.fit(small_X * 1e10)

    assert_unchanged_after(est, diverge)
