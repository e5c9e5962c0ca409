"""Which fits compile with XLA: a rule on the parameters and the data's shape."""

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
# 54 training rows in batches of 4: 14 steps an epoch, 1 120 in 80 epochs.
LONG_FIT = {"batch_size": 4, "epochs": 80, "early_stopping": False}


@pytest.fixture
def empty_pool():
    trainer_pool.clear()
    yield
    trainer_pool.clear()


@on_tensorflow
def test_a_long_small_fit_uses_xla_reproducibly_and_trains_as_without(
    empty_pool, monkeypatch
):
    settings = {"n_components": 2, "validation_fraction": 0.1, **LONG_FIT}
    first = DenseAutoencoder(random_state=0, **settings).fit(X)
    assert first.model_.jit_compile
    # The second fit trains on the pooled XLA trainer: the same result.
    second = DenseAutoencoder(random_state=0, **settings).fit(X)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    monkeypatch.setattr(_compile, "XLA_MIN_STEPS", 10**9)
    plain = DenseAutoencoder(random_state=0, **settings).fit(X)
    assert not plain.model_.jit_compile
    # The same training, up to float32 rounding, which drifts over 1 120 steps.
    np.testing.assert_allclose(first.loss_curve_[:5], plain.loss_curve_[:5], rtol=1e-4)
    np.testing.assert_allclose(first.loss_curve_, plain.loss_curve_, rtol=0.1)
    assert first.loss_curve_[-1] < 0.5 * first.loss_curve_[0]
    # A partial_fit cannot plan its steps: no XLA on small data.
    first.partial_fit(X)
    assert not first.model_.jit_compile
    assert np.isfinite(first.loss_curve_[-1])


@on_tensorflow
def test_networks_that_draw_noise_stay_off_xla(empty_pool):
    noisy = DenoisingAutoencoder(2, random_state=0, **LONG_FIT).fit(X)
    assert not noisy.model_.jit_compile
    dropout = DenseAutoencoder(2, dropout=0.1, random_state=0, **LONG_FIT).fit(X)
    assert not dropout.model_.jit_compile
