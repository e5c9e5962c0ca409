"""Dense (fully connected) encoder and decoder builders."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

# Batch statistics' moving averages follow the weights within tens of steps
# (PyTorch's default), not hundreds (Keras' 0.99): small data sets train
# few steps, and inference must not lag behind.
BN_MOMENTUM = 0.9


def dense_block(
    x,
    units: int,
    *,
    activation: str,
    dropout: float = 0.0,
    batch_normalization: bool = False,
    name: str,
):
    """Apply Dense -> [BatchNormalization] -> activation -> [Dropout] to ``x``.

    Batch normalisation sits before the activation, so the Dense layer needs
    no bias of its own there.
    """
    x = layers.Dense(units, use_bias=not batch_normalization, name=name)(x)
    if batch_normalization:
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    x = layers.Activation(activation, name=f"{name}_activation")(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


def dense_stack(
    x,
    widths: Sequence[int],
    *,
    activation: str,
    dropout: float,
    batch_normalization: bool,
    prefix: str,
):
    """Apply one :func:`dense_block` per width in ``widths``."""
    for i, units in enumerate(widths):
        x = dense_block(
            x,
            units,
            activation=activation,
            dropout=dropout,
            batch_normalization=batch_normalization,
            name=f"{prefix}_{i}",
        )
    return x


def _with_linear_shortcut(inputs, x, units: int, activation: str, name: str, **kw):
    """Return ``activation(Dense(inputs) + Dense_zero(x))``: a linear map plus a
    nonlinear correction that starts at zero."""
    linear = layers.Dense(units, name=f"{name}_linear")(inputs)
    correction = layers.Dense(
        units, kernel_initializer="zeros", name=f"{name}_nonlinear"
    )(x)
    summed = layers.Add(name=f"{name}_sum")([linear, correction])
    return layers.Activation(activation, name=name, **kw)(summed)


def dense_encoder(
    n_features: int,
    *,
    hidden_layer_sizes: Sequence[int],
    n_components: int,
    activation: str,
    code_activation: str,
    dropout: float,
    batch_normalization: bool,
    activity_l1: float,
    linear_shortcut: bool = False,
) -> keras.Model:
    """Return the encoder ``(n, n_features) -> (n, n_components)``.

    With ``linear_shortcut`` the code is a linear map of the input (layer
    ``code_linear``) plus the hidden stack's output through a zero-initialised
    layer (``code_nonlinear``): the network starts linear and learns what a
    linear code misses.
    """
    inputs = keras.Input((n_features,), name="input")
    x = dense_stack(
        inputs,
        hidden_layer_sizes,
        activation=activation,
        dropout=dropout,
        batch_normalization=batch_normalization,
        prefix="encoder_hidden",
    )
    regularizer = keras.regularizers.L1(activity_l1) if activity_l1 else None
    if linear_shortcut:
        code = _with_linear_shortcut(
            inputs,
            x,
            n_components,
            code_activation,
            "code",
            activity_regularizer=regularizer,
        )
    else:
        code = layers.Dense(
            n_components,
            activation=code_activation,
            activity_regularizer=regularizer,
            name="code",
        )(x)
    return keras.Model(inputs, code, name="encoder")


def dense_decoder(
    n_components: int,
    n_features: int,
    *,
    hidden_layer_sizes: Sequence[int],
    activation: str,
    output_activation: str,
    dropout: float,
    batch_normalization: bool,
    linear_shortcut: bool = False,
) -> keras.Model:
    """Return the decoder ``(n, n_components) -> (n, n_features)``.

    ``hidden_layer_sizes`` are the encoder's widths; the decoder mirrors them.
    ``linear_shortcut`` as in :func:`dense_encoder` (layers ``output_linear``
    and ``output_nonlinear``).
    """
    codes = keras.Input((n_components,), name="code")
    x = dense_stack(
        codes,
        tuple(reversed(hidden_layer_sizes)),
        activation=activation,
        dropout=dropout,
        batch_normalization=batch_normalization,
        prefix="decoder_hidden",
    )
    if linear_shortcut:
        outputs = _with_linear_shortcut(
            codes, x, n_features, output_activation, "output"
        )
    else:
        outputs = layers.Dense(n_features, activation=output_activation, name="output")(
            x
        )
    return keras.Model(codes, outputs, name="decoder")
