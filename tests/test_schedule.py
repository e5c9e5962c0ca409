"""The learning-rate schedule of the fit loop."""

import keras
import numpy as np
import pytest

from skae import DenseAutoencoder
from skae._keras._schedule import FINAL_FRACTION, cosine_factor


class RecordRate(keras.callbacks.Callback):
    """Records the optimizer's learning rate at the start of every epoch."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            rate = self.model.optimizer.learning_rate
            self.rates.append(float(keras.ops.convert_to_numpy(rate)))


def fit_recording(X, **params):
    recorder = RecordRate()
    est = DenseAutoencoder(
        2,
        hidden_layer_sizes=(8,),
        batch_size=64,
        random_state=0,
        early_stopping=False,
        callbacks=[recorder],
        **params,
    )
    return est.fit(X), recorder


def test_cosine_decays_from_the_rate_to_one_percent_over_the_budget(small_X):
    _, recorder = fit_recording(
        small_X, epochs=6, learning_rate=0.01, learning_rate_schedule="cosine"
    )
    expected = [0.01 * cosine_factor(e / 5) for e in range(6)]
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-5)
    assert recorder.rates[-1] == pytest.approx(0.01 * FINAL_FRACTION, rel=1e-5)


def test_constant_keeps_the_rate_and_is_the_default(small_X):
    _, recorder = fit_recording(small_X, epochs=4, learning_rate=0.01)
    np.testing.assert_allclose(recorder.rates, [0.01] * 4, rtol=1e-6)


def test_every_call_starts_at_the_learning_rate(small_X):
    est, recorder = fit_recording(
        small_X, epochs=4, learning_rate=0.01, learning_rate_schedule="cosine"
    )
    est.set_params(warm_start=True, learning_rate=0.002).fit(small_X)
    est.partial_fit(small_X)
    starts = [recorder.rates[0], recorder.rates[4], recorder.rates[8]]
    np.testing.assert_allclose(starts, [0.01, 0.002, 0.002], rtol=1e-6)
    assert len(recorder.rates) == 9 and est.n_iter_ == 9


class HalveAfterTheFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            rate = self.model.optimizer.learning_rate
            rate.assign(float(keras.ops.convert_to_numpy(rate)) / 2)


def test_changes_by_other_callbacks_carry_on_scaled(small_X):
    recorder = RecordRate()
    DenseAutoencoder(
        2,
        hidden_layer_sizes=(8,),
        epochs=5,
        learning_rate=0.01,
        learning_rate_schedule="cosine",
        early_stopping=False,
        random_state=0,
        callbacks=[HalveAfterTheFirstEpoch(), recorder],
    ).fit(small_X)
    expected = [0.01] + [0.005 * cosine_factor(e / 4) for e in range(1, 5)]
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-5)
