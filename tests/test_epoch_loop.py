"""The loop of single compiled steps that trains small in-memory data on TensorFlow."""

import math

import keras
import numpy as np
import pytest

from skae import DenseAutoencoder
from skae._keras import _epoch_loop
from skae._keras._epoch_loop import (
    MAX_LOOP_SAMPLES,
    MAX_LOOP_STEPS,
    mean_loss,
    runs_epoch_loop,
    train_epochs,
)

ON_TENSORFLOW = keras.backend.backend() == "tensorflow"


def small_model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(6)(hidden))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


@pytest.fixture
def rows():
    rng = np.random.default_rng(0)
    return rng.normal(size=(103, 6)).astype("float32")


class Recorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.epochs, self.batches = [], {}

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)
        self.batches[epoch] = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches[self.epochs[-1]] += 1


def test_the_loop_runs_only_where_it_pays():
    expected = ON_TENSORFLOW
    assert runs_epoch_loop(1347, 64) is expected
    # Too many steps per epoch, or enough rows for XLA: Keras' fit.
    assert not runs_epoch_loop(64 * (MAX_LOOP_STEPS + 1), 64)
    assert not runs_epoch_loop(MAX_LOOP_SAMPLES, 10**6)
    # A batch larger than the data is one step.
    assert runs_epoch_loop(10, 256) is expected


def test_epochs_batches_and_callbacks_as_fit(rows):
    recorder = Recorder()
    model = small_model()
    history = train_epochs(
        model,
        (rows, rows),
        (rows[:20], rows[:20]),
        batch_size=25,
        epochs=5,
        initial_epoch=2,
        callbacks=[recorder],
        verbose=0,
        seed=0,
    )
    assert recorder.epochs == [2, 3, 4]
    assert all(n == math.ceil(103 / 25) for n in recorder.batches.values())
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 3
    # The training loss falls, and val_loss is the compiled loss of the end weights.
    assert history.history["loss"][-1] < history.history["loss"][0]
    evaluated = model.evaluate(rows[:20], rows[:20], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(evaluated, rel=1e-5)


def test_mean_loss_weights_blocks_by_rows(rows, monkeypatch):
    model = small_model()
    whole = mean_loss(model, (rows, rows))
    monkeypatch.setattr(_epoch_loop, "VALIDATION_BLOCK_ROWS", 10)
    assert mean_loss(model, (rows, rows)) == pytest.approx(whole, rel=1e-5)
    assert whole == pytest.approx(model.evaluate(rows, rows, verbose=0), rel=1e-5)


def test_a_callback_stops_training(rows):
    class StopAfterSecondEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    history = train_epochs(
        small_model(),
        (rows, rows),
        None,
        batch_size=25,
        epochs=10,
        initial_epoch=0,
        callbacks=[StopAfterSecondEpoch()],
        verbose=0,
        seed=0,
    )
    assert len(history.history["loss"]) == 2


def test_the_seed_fixes_the_order(rows):
    def end_weights(seed):
        model = small_model()
        train_epochs(
            model,
            (rows, rows),
            None,
            batch_size=10,
            epochs=3,
            initial_epoch=0,
            callbacks=[],
            verbose=0,
            seed=seed,
        )
        return np.concatenate([w.ravel() for w in model.get_weights()])

    np.testing.assert_array_equal(end_weights(1), end_weights(1))
    assert not np.allclose(end_weights(1), end_weights(2))


@pytest.mark.skipif(not ON_TENSORFLOW, reason="the loop serves TensorFlow only")
def test_estimators_train_small_data_through_the_loop(rows, monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs["epochs"])
        return train_epochs(*args, **kwargs)

    monkeypatch.setattr("skae.autoencoder._base.train_epochs", counted)
    ae = DenseAutoencoder(2, epochs=4, random_state=0).fit(rows)
    assert calls == [4]
    assert len(ae.loss_curve_) == ae.n_iter_ == len(ae.validation_loss_curve_)
    ae.partial_fit(rows)
    assert calls == [4, ae.n_iter_]
