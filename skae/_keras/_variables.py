"""Copying Keras variables' values without leaving the device they live on."""

from __future__ import annotations

import keras


def snapshot(variables: list) -> list:
    """Copies of the variables' values, kept where the variables live (on an
    accelerator, no transfer to the host)."""
    return [keras.ops.copy(v.value) for v in variables]


def restore(variables: list, values: list) -> None:
    """Assign ``values`` (a ``snapshot``, or other variables' values) to the
    variables, in order."""
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)
