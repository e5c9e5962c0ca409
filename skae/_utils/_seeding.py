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


@contextlib.contextmanager
def keras_seed(seed: int) -> Iterator[None]:
    """Seed Keras, the backend, Python and NumPy; restore Python's and NumPy's state.

    Keras draws weight initialisations, dropout masks and shuffling from these
    global generators, so seeding them is what makes a fit reproducible. The
    user's Python and NumPy random streams are put back afterwards.
    """
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002 (Keras seeds the global one)
    keras.utils.set_random_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)  # noqa: NPY002
