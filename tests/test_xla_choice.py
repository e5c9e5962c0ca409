"""Which fits compile with XLA: a rule on the parameters and the data's shape."""

import pickle

import keras
import numpy as np
import pytest

from skae import DenoisingAutoencoder, DenseAutoencoder
from skae._keras import _compile
from skae._keras import _trainer_pool as trainer_pool
from skae._keras._compile import XLA_MIN_SAMPLES, XLA_MIN_STEPS, uses_xla

BACKEND = keras.backend.backend()
on_tensorflow = pytest.mark.skipif(
    BACKEND != "tensorflow", reason="the small-data XLA rule is TensorFlow's"
)


def network(*, dropout: bool = False) -> keras.Model:
    layers = [keras.Input((4,)), keras.layers.Dense(3)]
    if dropout:
        layers.append(keras.layers.Dropout(0.2))
    return keras.Sequential([*layers, keras.layers.Dense(4)])


@pytest.mark.parametrize(
    ("settings", "on_tensorflow_"),
    [
        ({"planned_steps": XLA_MIN_STEPS}, True),
        ({"planned_steps": XLA_MIN_STEPS - 1}, False),
        ({"planned_steps": None}, False),
        ({"planned_steps": XLA_MIN_STEPS, "dropout": True}, False),
        ({"planned_steps": XLA_MIN_STEPS, "xla_pays": False}, False),
        ({"planned_steps": XLA_MIN_STEPS, "epoch_batch_size": None}, False),
        ({"n_samples": XLA_MIN_SAMPLES, "epoch_batch_size": None}, True),
        ({"n_samples": XLA_MIN_SAMPLES, "dropout": True}, True),
    ],
)
def test_the_xla_rule(settings, on_tensorflow_):
    settings = {"n_samples": 100, "epoch_batch_size": 32, **settings}
    model = network(dropout=settings.pop("dropout", False))
    expected = {"tensorflow": on_tensorflow_, "jax": True, "torch": False}[BACKEND]
    assert uses_xla(model, settings.pop("n_samples"), **settings) is expected


X = np.random.default_rng(0).random((60, 6))
# 60 rows in batches of 4 (no validation split): 15 steps an epoch, 1 200 in all.
LONG_FIT = {"n_components": 2, "batch_size": 4, "epochs": 80, "early_stopping": False}


@pytest.fixture
def empty_pool():
    trainer_pool.clear()
    yield
    trainer_pool.clear()


def pooled_xla() -> list:
    return [t.jit_compile for idle in trainer_pool._idle.values() for t in idle]


class CompileSeen(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.xla = self.model.jit_compile


@on_tensorflow
def test_a_long_small_fit_trains_with_xla_reproducibly_as_without(
    empty_pool, monkeypatch
):
    first = DenseAutoencoder(random_state=0, **LONG_FIT).fit(X)
    assert pooled_xla() == [True]
    # The estimator's model rests without XLA: its predictions do not
    # depend on how long it trained, and survive pickling bit for bit.
    assert not first.model_.jit_compile
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(first)).predict(X), first.predict(X)
    )
    # The second fit trains on the pooled XLA trainer, a fit watched by
    # callbacks on the estimator's own model with XLA: the same result.
    second = DenseAutoencoder(random_state=0, **LONG_FIT).fit(X)
    seen = CompileSeen()
    watched = DenseAutoencoder(random_state=0, callbacks=[seen], **LONG_FIT).fit(X)
    assert seen.xla and not watched.model_.jit_compile
    for other in (second, watched):
        np.testing.assert_array_equal(first.transform(X), other.transform(X))
    monkeypatch.setattr(_compile, "XLA_MIN_STEPS", 10**9)
    plain = DenseAutoencoder(random_state=0, **LONG_FIT).fit(X)
    assert pooled_xla() == [True, False]
    # The same training, up to float32 rounding, which drifts over 1 200 steps.
    np.testing.assert_allclose(first.loss_curve_[:5], plain.loss_curve_[:5], rtol=1e-4)
    np.testing.assert_allclose(first.loss_curve_, plain.loss_curve_, rtol=0.1)
    assert first.loss_curve_[-1] < 0.5 * first.loss_curve_[0]


@on_tensorflow
def test_partial_fit_cannot_plan_its_steps_and_trains_without_xla(empty_pool):
    model = DenseAutoencoder(random_state=0, **LONG_FIT).fit(X)
    model.partial_fit(X)
    assert sorted(pooled_xla()) == [False, True]
    assert np.isfinite(model.loss_curve_[-1])


@on_tensorflow
def test_networks_that_draw_noise_stay_off_xla(empty_pool):
    DenoisingAutoencoder(random_state=0, **LONG_FIT).fit(X)
    DenseAutoencoder(dropout=0.1, random_state=0, **LONG_FIT).fit(X)
    assert pooled_xla() == [False, False]
