"""Trained models leave nothing behind in TensorFlow's gradient registry."""

import gc
import weakref

import keras
import numpy as np
import pytest

from skae import DenseAutoencoder
from skae._keras import _trainer_pool as trainer_pool
from skae._keras._gradient_registry import (
    custom_gradient_names,
    gradient_registrations_released,
)

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="only TensorFlow's gradient registry keeps traced graphs",
)

X = np.random.default_rng(0).random((300, 10), dtype=np.float32)


def _func_graphs() -> dict:
    from tensorflow.python.framework.func_graph import FuncGraph

    gc.collect()
    return {id(o): o for o in gc.get_objects() if isinstance(o, FuncGraph)}


def test_plain_keras_training_registers_and_the_block_removes_it():
    """Keras' own training adds registrations; the block takes out just those."""
    before = custom_gradient_names()
    with gradient_registrations_released():
        model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(2)])
        model.compile("adam", "mse")
        model.fit(X, X[:, :2], epochs=1, batch_size=100, verbose=0)
        added = custom_gradient_names() - before
    assert added, "Keras no longer registers custom gradients: drop the repair"
    assert custom_gradient_names() == before
    # The step compiled inside the block still trains.
    loss = model.train_on_batch(X, X[:, :2])
    assert np.isfinite(loss)


def test_overlapping_blocks_release_when_the_last_one_ends():
    """Fits in several threads: none loses a registration while it trains."""
    before = custom_gradient_names()
    first = gradient_registrations_released()
    second = gradient_registrations_released()
    first.__enter__()
    second.__enter__()
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(2)])
    model.compile("adam", "mse")
    model.fit(X, X[:, :2], epochs=1, batch_size=100, verbose=0)
    added = custom_gradient_names() - before
    first.__exit__(None, None, None)
    assert added and custom_gradient_names() - before == added
    second.__exit__(None, None, None)
    assert custom_gradient_names() == before


@pytest.mark.parametrize("batch_size", [50, 8], ids=["epoch-loop", "keras-fit"])
def test_a_discarded_estimator_leaves_no_traced_graph_alive(batch_size):
    before = _func_graphs()
    names = custom_gradient_names()
    model = DenseAutoencoder(2, epochs=2, batch_size=batch_size, random_state=0)
    model.fit(X).partial_fit(X)
    score = model.score(X)
    traced = [weakref.ref(g) for key, g in _func_graphs().items() if key not in before]
    assert traced and np.isfinite(score)
    assert custom_gradient_names() == names
    del model
    # The pool keeps compiled trainers for later fits (at most MAX_TRAINERS,
    # tested apart); once they go, nothing of the estimator is left.
    trainer_pool.clear()
    gc.collect()
    assert [ref() for ref in traced if ref() is not None] == []


def test_training_goes_on_after_the_registrations_are_gone():
    model = DenseAutoencoder(2, epochs=3, random_state=0).fit(X)
    first = model.score(X)
    model.set_params(warm_start=True, epochs=5).fit(X)
    for _ in range(3):
        model.partial_fit(X)
    assert model.n_iter_ == 3 + 5 + 3
    assert model.score(X) > first
