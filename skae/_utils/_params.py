"""Declarative parameter specifications, checked once per ``fit``.

Each estimator class declares ``_parameter_specs``: a mapping from parameter
name to a :class:`Spec` (or a tuple of specs, any of which may match).
:func:`parameter_specs` merges the declarations of a class and its bases, so a
subclass states only what it adds or changes. :func:`check_params` validates
every parameter of an estimator against the merged specs and raises a
``ValueError`` naming the parameter, what it accepts and what it got.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np


class Spec:
    """What one parameter accepts. Subclasses implement ``accepts`` and ``describe``."""

    def accepts(self, value) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Interval(Spec):
    """A real (or, with ``integer=True``, an integral) number in a range.

    ``closed`` says which ends belong to the range: ``"both"``, ``"left"``,
    ``"right"`` or ``"neither"``. Booleans are never numbers here, and NaN and
    the infinities are never in a range.
    """

    low: float | None = None
    high: float | None = None
    closed: str = "both"
    integer: bool = False

    def accepts(self, value) -> bool:
        kind = numbers.Integral if self.integer else numbers.Real
        if _is_bool(value) or not isinstance(value, kind):
            return False
        if not self.integer and not math.isfinite(value):
            return False
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (value < self.low if left else value <= self.low):
            return False
        return not (
            self.high is not None
            and (value > self.high if right else value >= self.high)
        )

    def describe(self) -> str:
        what = "an int" if self.integer else "a float"
        if self.low is None and self.high is None:
            return what
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{what} in {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options(Spec):
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def accepts(self, value) -> bool:
        return isinstance(value, str) and value in self.values

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


@dataclass(frozen=True)
class Constant(Spec):
    """Exactly ``value``: ``None`` or a string such as ``"auto"``."""

    value: object

    def accepts(self, value) -> bool:
        return value is self.value or (
            type(value) is type(self.value) and value == self.value
        )

    def describe(self) -> str:
        return repr(self.value)


class Boolean(Spec):
    """``True`` or ``False`` (NumPy booleans included)."""

    def accepts(self, value) -> bool:
        return _is_bool(value)

    def describe(self) -> str:
        return "a bool"


@dataclass(frozen=True)
class Satisfies(Spec):
    """Any value for which ``predicate`` returns True; ``description`` says which."""

    predicate: Callable[[object], bool]
    description: str

    def accepts(self, value) -> bool:
        try:
            return bool(self.predicate(value))
        except Exception:  # noqa: BLE001 - a predicate that fails rejects
            return False

    def describe(self) -> str:
        return self.description


class LayerSizes(Spec):
    """A sequence of positive ints (an int alone means one layer); may be empty."""

    def accepts(self, value) -> bool:
        try:
            as_layer_sizes(value)
        except (TypeError, ValueError):
            return False
        return True

    def describe(self) -> str:
        return "a sequence of positive ints"


class RandomState(Spec):
    """What scikit-learn accepts as ``random_state``."""

    def accepts(self, value) -> bool:
        if value is None or isinstance(value, np.random.RandomState):
            return True
        return isinstance(value, numbers.Integral) and not _is_bool(value)

    def describe(self) -> str:
        return "None, an int or a numpy RandomState"


def as_layer_sizes(value) -> tuple[int, ...]:
    """Return ``value`` as a tuple of positive ints, or raise ``ValueError``."""
    if isinstance(value, numbers.Integral) and not _is_bool(value):
        value = (value,)
    if isinstance(value, (str, bytes)):
        raise ValueError(value)
    sizes = tuple(value)
    if not all(Interval(1, integer=True).accepts(size) for size in sizes):
        raise ValueError(value)
    return tuple(int(size) for size in sizes)


def parameter_specs(cls: type) -> dict[str, tuple[Spec, ...]]:
    """Return the specs of ``cls``, merged from its bases (subclasses win)."""
    merged: dict[str, tuple[Spec, ...]] = {}
    for klass in reversed(cls.__mro__):
        declared: Mapping = vars(klass).get("_parameter_specs", {})
        for name, spec in declared.items():
            merged[name] = spec if isinstance(spec, tuple) else (spec,)
    return merged


def check_params(estimator) -> None:
    """Raise ``ValueError`` for the first parameter of ``estimator`` out of spec.

    Parameters without a spec are an error too: every parameter is checked.
    """
    specs = parameter_specs(type(estimator))
    for name, value in estimator.get_params(deep=False).items():
        if name not in specs:
            raise TypeError(
                f"{type(estimator).__name__} declares no specification for its "
                f"parameter {name!r}."
            )
        check_value(value, name, specs[name])


def check_value(value, name: str, specs: Spec | tuple[Spec, ...]) -> None:
    """Raise ``ValueError`` unless one of ``specs`` accepts ``value``."""
    specs = specs if isinstance(specs, tuple) else (specs,)
    if not any(spec.accepts(value) for spec in specs):
        allowed = " or ".join(spec.describe() for spec in specs)
        raise ValueError(f"{name} must be {allowed}, got {value!r}.")
