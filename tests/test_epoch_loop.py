"""The loop of one compiled call per epoch that trains small in-memory data."""

import keras
import numpy as np
import pytest

from skae import DenseAutoencoder
from skae._keras import _epoch_loop
from skae._keras import _trainer_pool as trainer_pool
from skae._keras._autoencoder_model import AutoencoderModel
from skae._keras._compile import compile_model
from skae._keras._epoch_loop import (
    MAX_LOOP_BYTES,
    MAX_LOOP_SAMPLES,
    mean_loss,
    runs_epoch_loop,
    train_epochs,
)

BACKEND = keras.backend.backend()
# These tests drive Keras models directly (fit, get_weights, the epoch step
# outside skae's fit), where skae does not hide NumPy 2's warning about
# __array__ without copy (Keras' variables, PyTorch's tensors).
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def small_model(seed=0, epoch_batch_size=None, outputs=6):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    model = AutoencoderModel(inputs, keras.layers.Dense(outputs)(hidden))
    model.epoch_batch_size = epoch_batch_size
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


def weights(model):
    return np.concatenate([w.ravel() for w in model.get_weights()])


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
    assert runs_epoch_loop(1347, 1347 * 64 * 4)
    assert runs_epoch_loop(10, 40)
    # Enough rows for Keras' fit to pay, or an epoch's copy too large.
    assert not runs_epoch_loop(MAX_LOOP_SAMPLES, 4 * MAX_LOOP_SAMPLES)
    assert not runs_epoch_loop(1000, MAX_LOOP_BYTES + 1)
    assert not runs_epoch_loop(0, 0)


@pytest.mark.backend_smoke
@pytest.mark.parametrize(
    "n_rows, batch_size",
    [(103, 25), (100, 25), (103, 200), (103, 1)],
    ids=["last-batch-smaller", "batches-even", "one-batch", "row-by-row"],
)
@pytest.mark.parametrize("with_target", [False, True], ids=["self", "target"])
def test_an_epoch_step_trains_as_fit_does(rows, n_rows, batch_size, with_target):
    """One call of the epoch step: the same weights and loss as an epoch of
    Keras' fit over the same rows in the same order."""
    x = rows[:n_rows]
    arrays = (x, x[:, ::-1].copy()) if with_target else (x,)
    by_epoch = small_model(epoch_batch_size=batch_size)
    by_fit = small_model()
    by_fit.set_weights(by_epoch.get_weights())
    start = weights(by_epoch)
    logs = by_epoch.train_epoch(*arrays)
    history = by_fit.fit(
        *arrays, batch_size=batch_size, shuffle=False, epochs=1, verbose=0
    )
    assert not np.allclose(weights(by_epoch), start)
    np.testing.assert_allclose(weights(by_epoch), weights(by_fit), rtol=1e-4, atol=1e-5)
    assert logs["loss"] == pytest.approx(history.history["loss"][0], rel=1e-4)


def test_another_number_of_rows_gets_its_own_step(rows):
    by_epoch = small_model(epoch_batch_size=25)
    by_fit = small_model()
    by_fit.set_weights(by_epoch.get_weights())
    for n_rows in (103, 60, 103):
        logs = by_epoch.train_epoch(rows[:n_rows])
        history = by_fit.fit(
            rows[:n_rows], batch_size=25, shuffle=False, epochs=1, verbose=0
        )
        assert logs["loss"] == pytest.approx(history.history["loss"][0], rel=1e-4)
    np.testing.assert_allclose(weights(by_epoch), weights(by_fit), rtol=1e-4, atol=1e-5)


def test_compile_sets_and_clears_the_epoch_step(rows):
    model = small_model()
    optimizer = model.optimizer
    compile_model(model, optimizer, "mse", len(rows), epoch_batch_size=25)
    assert model.epoch_batch_size == 25
    model.train_epoch(rows)
    compile_model(model, optimizer, "mse", len(rows), epoch_batch_size=None)
    assert model.epoch_batch_size is None
    # Keras' fit now takes batches of 25 rows, not epochs.
    history = model.fit(rows, batch_size=25, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_epochs_and_callbacks_as_fit(rows):
    recorder = Recorder()
    model = small_model(epoch_batch_size=25)
    history = train_epochs(
        model,
        (rows, rows),
        (rows[:20], rows[:20]),
        epochs=5,
        initial_epoch=2,
        callbacks=[recorder],
        verbose=0,
        seed=0,
    )
    assert recorder.epochs == [2, 3, 4]
    # The batch hooks are called once per epoch.
    assert all(n == 1 for n in recorder.batches.values())
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
        small_model(epoch_batch_size=25),
        (rows, rows),
        None,
        epochs=10,
        initial_epoch=0,
        callbacks=[StopAfterSecondEpoch()],
        verbose=0,
        seed=0,
    )
    assert len(history.history["loss"]) == 2


def test_the_seed_fixes_the_order(rows):
    def end_weights(seed):
        model = small_model(epoch_batch_size=10)
        train_epochs(
            model,
            (rows, rows),
            None,
            epochs=3,
            initial_epoch=0,
            callbacks=[],
            verbose=0,
            seed=seed,
        )
        return weights(model)

    np.testing.assert_array_equal(end_weights(1), end_weights(1))
    assert not np.allclose(end_weights(1), end_weights(2))


@pytest.mark.backend_smoke
def test_estimators_train_small_data_through_the_loop(rows, monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs["epochs"])
        return train_epochs(*args, **kwargs)

    monkeypatch.setattr("skae.autoencoder._base.train_epochs", counted)
    ae = DenseAutoencoder(2, epochs=4, batch_size=25, random_state=0).fit(rows)
    assert calls == [4]
    # PyTorch compiles nothing: its model trains itself, no trainer is kept.
    assert (trainer_pool.idle_trainer_count() == 0) is (BACKEND == "torch")
    assert len(ae.loss_curve_) == ae.n_iter_ == len(ae.validation_loss_curve_)
    # partial_fit on another number of rows: a step of its own.
    ae.partial_fit(rows[:40])
    assert calls == [4, ae.n_iter_]
    assert np.isfinite(ae.loss_curve_[-1])
    # A user's callbacks are called per epoch, and per execution of steps
    # (an epoch), as Keras' fit does with several steps per execution.
    recorder = Recorder()
    DenseAutoencoder(
        2, epochs=2, batch_size=25, early_stopping=False, callbacks=[recorder]
    ).fit(rows)
    assert calls == [4, ae.n_iter_, 2]
    assert recorder.batches == {0: 1, 1: 1}


def test_the_monitor_keeps_best_weights_as_backend_copies_not_host_arrays():
    """No transfer to the host per epoch; the copies do not follow later updates."""
    from skae._keras import TrainingMonitor

    model = small_model()
    monitor = TrainingMonitor("loss", patience=5, tol=0.0, restore_best=True)
    monitor.set_model(model)
    monitor.on_train_begin()
    monitor.on_epoch_end(0, {"loss": 1.0})
    kept = [keras.ops.convert_to_numpy(w) for w in monitor._best_weights]
    assert not any(isinstance(w, np.ndarray) for w in monitor._best_weights)
    for variable in model.weights:
        variable.assign(keras.ops.zeros(variable.shape))
    monitor.on_epoch_end(1, {"loss": 2.0})  # worse: the copy of epoch 0 stays
    monitor.on_train_end()
    for restored, expected in zip(model.get_weights(), kept, strict=True):
        np.testing.assert_array_equal(restored, expected)
    assert any(np.any(w != 0) for w in kept)


def _fit_counting_calls(rows, monkeypatch, epochs_per_call, **params):
    monkeypatch.setattr(_epoch_loop, "MAX_EPOCHS_PER_CALL", epochs_per_call)
    calls = []
    train_epochs_method = AutoencoderModel.train_epochs

    def counting(self, *arrays, n_epochs):
        calls.append(n_epochs)
        return train_epochs_method(self, *arrays, n_epochs=n_epochs)

    monkeypatch.setattr(AutoencoderModel, "train_epochs", counting)
    ae = DenseAutoencoder(2, random_state=0, **{"batch_size": 16, **params}).fit(rows)
    return ae, calls


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="several epochs per call run on TensorFlow only"
)
@pytest.mark.parametrize(
    "params",
    [
        # Stops on the training-loss plateau before the epoch budget.
        {"early_stopping": False, "tol": 1e-2, "n_iter_no_change": 4, "epochs": 60},
        # Runs the whole budget, with dropout drawing from a seed generator.
        {"early_stopping": False, "tol": 0.0, "epochs": 23, "dropout": 0.2},
    ],
)
def test_several_epochs_per_call_give_the_same_fit(rows, monkeypatch, params):
    chunked, chunked_calls = _fit_counting_calls(rows, monkeypatch, 10, **params)
    single, single_calls = _fit_counting_calls(rows, monkeypatch, 1, **params)
    assert max(chunked_calls) > 1 and set(single_calls) == {1}
    assert sum(chunked_calls) >= chunked.n_iter_  # the calls ran every epoch
    assert chunked.n_iter_ == single.n_iter_
    assert chunked.loss_curve_ == single.loss_curve_
    np.testing.assert_array_equal(chunked.transform(rows), single.transform(rows))


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="several epochs per call run on TensorFlow only"
)
def test_a_call_with_a_diverging_epoch_runs_again_one_epoch_per_call(monkeypatch):
    """The guard keeps the weights of the epoch before the first non-finite
    one, as with one call per epoch, not those from before the call."""
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning

    # Unscaled pixels and plain SGD at 0.1: the loss overflows in epoch 8.
    X = load_digits().data[:300].astype("float32")
    params = {
        "early_stopping": False,
        "epochs": 30,
        "batch_size": 300,
        "optimizer": "sgd",
        "learning_rate": 0.1,
        "n_iter_no_change": 50,
    }
    fits = []
    for per_call in (10, 1):
        with pytest.warns(ConvergenceWarning, match="Kept the weights of epoch") as w:
            ae, calls = _fit_counting_calls(X, monkeypatch, per_call, **params)
        fits.append((ae, calls, str(w[0].message)))
    (grouped, grouped_calls, grouped_message), (single, _, single_message) = fits
    assert grouped_calls[0] == 10 and 1 < grouped.n_iter_ <= 10
    assert grouped_message == single_message
    assert grouped.n_iter_ == single.n_iter_
    np.testing.assert_array_equal(grouped.loss_curve_, single.loss_curve_)
    np.testing.assert_array_equal(grouped.transform(X), single.transform(X))


def test_steps_of_other_epoch_sizes_are_not_kept(rows):
    """Partial fits on data of varying sizes keep one traced step, not one
    per size (each holds a compiled graph)."""
    ae = DenseAutoencoder(
        2, batch_size=16, random_state=0, callbacks=[keras.callbacks.History()]
    )
    for n_rows in range(60, 66):
        ae.partial_fit(rows[:n_rows])
    assert len(ae.model_._epoch_steps or {}) <= 1


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="several epochs per call run on TensorFlow only"
)
def test_calls_of_several_epochs_stop_where_patience_could_end_training(
    rows, monkeypatch
):
    ae, calls = _fit_counting_calls(
        rows, monkeypatch, 10, early_stopping=False, n_iter_no_change=3, epochs=40
    )
    # A call never holds more epochs than the patience left allows.
    assert max(calls) == 3


def test_validation_or_callbacks_keep_one_epoch_per_call(rows, monkeypatch):
    _, calls = _fit_counting_calls(rows, monkeypatch, 10, epochs=12)
    assert set(calls) == {1}
    _, calls = _fit_counting_calls(
        rows,
        monkeypatch,
        10,
        epochs=12,
        early_stopping=False,
        callbacks=[keras.callbacks.History()],
    )
    assert set(calls) <= {1}


def test_the_divergence_guard_falls_back_on_the_start_of_a_call():
    """Without best weights, the weights kept are those at the start of the
    call that began the last finite epoch's successor."""
    from skae._keras import TrainingMonitor

    model = small_model()
    monitor = TrainingMonitor("loss", patience=5, tol=0.0, restore_best=False)
    monitor.set_model(model)
    monitor.on_train_begin()

    def set_all(value):
        for variable in model.weights:
            variable.assign(keras.ops.full(variable.shape, value))

    def epoch(number, loss, begins_call):
        monitor.on_epoch_begin(number)
        if begins_call:
            monitor.on_train_batch_begin(0)
        monitor.on_train_batch_end(0, {"loss": loss})
        monitor.on_epoch_end(number, {"loss": loss})

    set_all(1.0)
    epoch(0, 1.0, begins_call=True)
    set_all(2.0)  # the state after a call of three epochs
    monitor.on_epoch_begin(1)
    monitor.on_train_batch_begin(0)
    set_all(3.0)
    epoch(1, 0.9, begins_call=False)
    epoch(2, float("nan"), begins_call=False)
    assert model.stop_training and monitor.diverged_epoch == 2
    monitor.on_train_end()
    assert monitor.restored_epoch == 0
    assert all(np.all(w == 2.0) for w in model.get_weights())
