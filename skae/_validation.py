"""Parameter checks shared by the estimators; each raises a ValueError naming the
parameter and what it accepts."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import keras

from ._errors import LOSSES


def check_choice(value, name: str, choices: Sequence) -> None:
    """Raise unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}.")


def check_number(
    value,
    name: str,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> None:
    """Raise unless ``value`` is a real (or integral) number in the given range."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an int" if integer else "a number"
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        bounds = f"{left}{low if low is not None else '-inf'}, "
        bounds += f"{high if high is not None else 'inf'}{right}"
        raise ValueError(f"{name} must be in {bounds}, got {value!r}.")


def check_layer_sizes(value, name: str) -> tuple[int, ...]:
    """Return ``value`` as a tuple of positive ints, or raise."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(
            f"{name} must be a sequence of positive ints, got {value!r}."
        ) from None
    for size in sizes:
        check_number(size, f"each of {name}", integer=True, low=1)
    return tuple(int(size) for size in sizes)


def check_activation(value, name: str) -> None:
    """Raise unless Keras knows the activation ``value``."""
    try:
        keras.activations.get(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{name} must be a Keras activation name such as 'relu', 'tanh', "
            f"'sigmoid' or 'linear', got {value!r}."
        ) from None


def check_optimizer(value, name: str = "optimizer") -> None:
    """Raise unless ``value`` names a Keras optimizer."""
    try:
        known = isinstance(value, str) and keras.optimizers.get(value) is not None
    except (ValueError, TypeError):
        known = False
    if not known:
        raise ValueError(
            f"{name} must be the name of a Keras optimizer such as 'adam' or "
            f"'rmsprop', got {value!r}."
        )


def check_loss(value) -> None:
    """Raise unless ``value`` is a supported reconstruction loss."""
    check_choice(value, "loss", LOSSES)
