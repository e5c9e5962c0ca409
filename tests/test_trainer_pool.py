"""Fits of one network structure share compiled steps through the trainer pool."""

import keras
import numpy as np
import pytest

from skae import ConvAutoencoder, DenoisingAutoencoder, DenseAutoencoder
from skae._keras import _trainer_pool as trainer_pool

pytestmark = pytest.mark.skipif(
    keras.backend.backend() not in ("tensorflow", "jax"),
    reason="the pool keeps compiled steps; PyTorch compiles none",
)

X = np.random.default_rng(0).random((120, 16))


@pytest.fixture(autouse=True)
def empty_pool():
    trainer_pool.clear()
    yield
    trainer_pool.clear()


class ModelSeen(keras.callbacks.Callback):
    """A user callback: it records the model it was given."""

    def on_train_begin(self, logs=None):
        self.seen = self.model


def dense(**params):
    """The default network: it starts at PCA and must beat its validation loss."""
    settings = {"n_components": 2, "epochs": 15}
    return DenseAutoencoder(**{**settings, "random_state": 0, **params})


def denoising(**params):
    settings = {"hidden_layer_sizes": (8,), "dropout": 0.2, "epochs": 6}
    return DenoisingAutoencoder(3, **{**settings, "random_state": 1, **params})


def conv(**params):
    settings = {"image_shape": (4, 4), "filters": (4,), "epochs": 3}
    return ConvAutoencoder(2, **{**settings, "random_state": 2, **params})


def trainers() -> list:
    return [t for idle in trainer_pool._idle.values() for t in idle]


def assert_same_fit(a, b):
    assert a.n_iter_ == b.n_iter_
    assert getattr(a, "best_epoch_", None) == getattr(b, "best_epoch_", None)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=0, atol=1e-6)
    iterations = [int(e.model_.optimizer.iterations.numpy()) for e in (a, b)]
    assert iterations[0] == iterations[1] > 0


@pytest.mark.parametrize("make", [dense, denoising, conv])
def test_training_through_a_trainer_gives_the_model_trained_itself(make):
    callback = ModelSeen()
    own = make(callbacks=[callback]).fit(X)
    # User callbacks see the estimator's own model, which trains itself.
    assert callback.seen is own.model_
    assert trainers() == []
    first, second = make().fit(X), make().fit(X)
    assert len(trainers()) == 1
    assert not any(t is e.model_ for t in trainers() for e in (first, second))
    assert_same_fit(first, own)
    assert_same_fit(second, own)


def test_a_later_fit_of_the_structure_compiles_nothing(monkeypatch):
    built = []
    new_trainer = trainer_pool._new_trainer

    def counted(*args):
        built.append(args)
        return new_trainer(*args)

    monkeypatch.setattr(trainer_pool, "_new_trainer", counted)
    dense(random_state=0).fit(X)
    [trainer] = trainers()
    step = trainer.train_function
    dense(random_state=1).fit(X)
    assert len(built) == 1 and trainers() == [trainer]
    assert trainer.train_function is step
    # Another structure, or another number of rows per epoch, needs its own.
    dense(random_state=0, n_components=3).fit(X)
    dense(random_state=0).fit(X[:100])
    assert len(built) == 3


def test_lending_a_trainer_leaves_other_estimators_as_they_were():
    a = dense(random_state=0).fit(X)
    codes = a.transform(X)
    b = dense(random_state=1).fit(X)
    np.testing.assert_array_equal(a.transform(X), codes)
    assert not np.allclose(b.transform(X), codes)


def test_warm_starts_and_partial_fits_carry_the_optimizer_state_on():
    def steps(est):
        est.fit(X)
        est.partial_fit(X).partial_fit(X)
        est.set_params(epochs=3).fit(X)
        return est

    own = steps(denoising(warm_start=True, callbacks=[ModelSeen()]))
    pooled = steps(denoising(warm_start=True))
    assert len(trainers()) == 2  # validated fits and whole-data epochs
    assert_same_fit(pooled, own)


def test_the_pool_keeps_a_bounded_number_of_trainers():
    for k in range(1, trainer_pool.MAX_TRAINERS + 3):
        DenseAutoencoder(
            k, hidden_layer_sizes=(), epochs=1, early_stopping=False, random_state=0
        ).fit(X)
    assert trainer_pool.idle_trainer_count() == trainer_pool.MAX_TRAINERS
    # The least recently used went first.
    widths = sorted(t.get_layer("encoder").output.shape[-1] for t in trainers())
    assert widths == list(range(3, trainer_pool.MAX_TRAINERS + 3))


def test_a_trainer_in_use_is_not_lent_again():
    """Fits that overlap (threads) each get a trainer of their own."""
    a, b = denoising(random_state=0).fit(X), denoising(random_state=1).fit(X)
    [idle] = trainers()
    [key] = trainer_pool._idle
    loss, rows = a._keras_loss(), key[-1]  # the rows of a's training epochs
    with trainer_pool.trainer_for(a.model_, loss, rows) as first:
        with trainer_pool.trainer_for(b.model_, loss, rows) as second:
            assert first is idle and second is not first
            assert trainers() == []
    assert {id(t) for t in trainers()} == {id(first), id(second)}
