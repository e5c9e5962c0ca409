"""Recurrent encoder and decoder builders for sequences ``(steps, features)``."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

RECURRENT_CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


def sequence_encoder(
    sequence_shape: tuple[int, int],
    *,
    cell: str,
    units: Sequence[int],
    n_components: int,
    code_activation: str,
) -> keras.Model:
    """Return the encoder ``(n, steps, features) -> (n, n_components)``.

    One recurrent layer per entry of ``units``; every layer but the last
    returns its whole output sequence to the next, the last only its final
    state, which a Dense layer maps to the code.
    """
    recurrent = RECURRENT_CELLS[cell]
    inputs = keras.Input(sequence_shape, name="input")
    x = inputs
    for i, width in enumerate(units):
        last = i == len(units) - 1
        x = recurrent(width, return_sequences=not last, name=f"encoder_{cell}_{i}")(x)
    codes = layers.Dense(n_components, activation=code_activation, name="code")(x)
    return keras.Model(inputs, codes, name="encoder")


def sequence_decoder(
    n_components: int,
    sequence_shape: tuple[int, int],
    *,
    cell: str,
    units: Sequence[int],
    output_activation: str,
) -> keras.Model:
    """Return the decoder ``(n, n_components) -> (n, steps, features)``.

    The code is repeated once per time step, unrolled by the recurrent layers
    in the encoder's reverse order, and a Dense layer applied at every step
    gives the features.
    """
    recurrent = RECURRENT_CELLS[cell]
    steps, n_features = sequence_shape
    codes = keras.Input((n_components,), name="code")
    x = layers.RepeatVector(steps, name="repeat")(codes)
    for i, width in enumerate(reversed(units)):
        x = recurrent(width, return_sequences=True, name=f"decoder_{cell}_{i}")(x)
    outputs = layers.Dense(n_features, activation=output_activation, name="output")(x)
    return keras.Model(codes, outputs, name="decoder")
