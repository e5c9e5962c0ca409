"""Seeding Keras from a scikit-learn ``random_state``."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

import keras
import numpy as np
from sklearn.utils import check_random_state

_MAX_SEED = 2**31 - 1


def seeded_clone(estimator, random_state):
    """Return a clone of ``estimator``, seeded by ``random_state`` if it is unseeded.

    A meta-estimator's ``random_state`` reaches an inner estimator whose own
    ``random_state`` is None; an inner estimator with a seed keeps it.
    """
    from sklearn.base import clone

    estimator = clone(estimator)
    params = estimator.get_params(deep=False)
    if random_state is not None and params.get("random_state", "absent") is None:
        estimator.set_params(random_state=random_state)
    return estimator


def draw_seed(random_state) -> int:
    """Return an integer seed drawn from a scikit-learn ``random_state``.

    An int is used as it is, so that the same int always gives the same seed.
    """
    if isinstance(random_state, (int, np.integer)) and not isinstance(
        random_state, bool
    ):
        return int(random_state) % _MAX_SEED
    return int(check_random_state(random_state).randint(_MAX_SEED))


def seed_keras(seed: int, *, tensorflow: bool = False) -> None:
    """Seed Python, NumPy, Keras' global seed generator and the backend's
    generator where Keras reads it (PyTorch's), as ``keras.utils.set_random_seed``
    does, but TensorFlow's global seed only with ``tensorflow``.

    TensorFlow's ``set_seed`` clears its kernel caches, so that the next call
    of every compiled function is about 0.1 s slower, and Keras calls it on
    every backend (importing TensorFlow under JAX and PyTorch too). Nothing
    skae trains reads that seed but Keras' ``fit`` shuffling on TensorFlow:
    the caller asks for it there.
    """
    if tensorflow:
        keras.utils.set_random_seed(seed)
        return
    try:
        from keras.src.backend.common import global_state
        from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # pragma: no cover - a Keras that moved them
        keras.utils.set_random_seed(seed)
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    # Recreated from the seed when next needed.
    global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (Keras seeds the global one)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


@contextlib.contextmanager
def keras_seed(seed: int) -> Iterator[None]:
    """Seed Keras, the backend, Python and NumPy; restore Python's and NumPy's state.

    Keras draws weight initialisations, dropout masks and shuffling from these
    global generators, so seeding them is what makes a fit reproducible. The
    user's Python and NumPy random streams are put back afterwards.
    TensorFlow's global seed is left to ``seed_keras(seed, tensorflow=True)``
    where Keras' ``fit`` shuffles.
    """
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002 (Keras seeds the global one)
    seed_keras(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)  # noqa: NPY002
