"""Convolutional (2-D) encoder and decoder builders for images of any size."""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
from keras import layers

from ._dense import BN_MOMENTUM


def conv_block(
    x,
    filters: int,
    *,
    kernel_size: int,
    activation: str,
    batch_normalization: bool,
    name: str,
):
    """Apply Conv2D ('same' padding) -> [BatchNormalization] -> activation."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        padding="same",
        use_bias=not batch_normalization,
        name=name,
    )(x)
    if batch_normalization:
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return layers.Activation(activation, name=f"{name}_activation")(x)


def pooled_shape(image_shape: Sequence[int], levels: int) -> tuple[int, int]:
    """Height and width after ``levels`` poolings by 2 with 'same' padding."""
    height, width = image_shape[:2]
    for _ in range(levels):
        height, width = math.ceil(height / 2), math.ceil(width / 2)
    return height, width


def conv_encoder(
    image_shape: tuple[int, int, int],
    *,
    filters: Sequence[int],
    kernel_size: int,
    pooling: str,
    activation: str,
    batch_normalization: bool,
    n_components: int | None,
    code_activation: str,
) -> keras.Model:
    """Return the encoder ``(n, h, w, c) -> code``.

    One conv block and one 2x2 pooling ('same' padding, so odd sizes round up)
    per entry of ``filters``. Without ``n_components`` the code is the last
    feature map; with it, a Dense layer of that width on the flattened map.
    """
    inputs = keras.Input(image_shape, name="input")
    x = inputs
    pool = layers.MaxPooling2D if pooling == "max" else layers.AveragePooling2D
    for i, width in enumerate(filters):
        x = conv_block(
            x,
            width,
            kernel_size=kernel_size,
            activation=activation,
            batch_normalization=batch_normalization,
            name=f"encoder_conv_{i}",
        )
        x = pool(2, padding="same", name=f"encoder_pool_{i}")(x)
    if n_components is not None:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(n_components, activation=code_activation, name="code")(x)
    return keras.Model(inputs, x, name="encoder")


def conv_decoder(
    latent_shape: tuple[int, ...],
    image_shape: tuple[int, int, int],
    *,
    filters: Sequence[int],
    kernel_size: int,
    activation: str,
    batch_normalization: bool,
    output_activation: str,
) -> keras.Model:
    """Return the decoder ``code -> (n, h, w, c)``, the encoder mirrored.

    A flat code first goes through a Dense layer to the encoder's last feature
    map. Each level is a conv block and a 2x upsampling; a last convolution
    gives the channels, and a crop trims the rounded-up size back to exactly
    ``image_shape``.
    """
    codes = keras.Input(latent_shape, name="code")
    levels = len(filters)
    map_height, map_width = pooled_shape(image_shape, levels)
    x = codes
    if len(latent_shape) == 1:
        units = map_height * map_width * filters[-1]
        x = layers.Dense(units, activation=activation, name="decoder_dense")(x)
        x = layers.Reshape((map_height, map_width, filters[-1]), name="unflatten")(x)
    for i, width in enumerate(reversed(filters)):
        x = conv_block(
            x,
            width,
            kernel_size=kernel_size,
            activation=activation,
            batch_normalization=batch_normalization,
            name=f"decoder_conv_{i}",
        )
        x = layers.UpSampling2D(2, name=f"decoder_upsample_{i}")(x)
    x = layers.Conv2D(
        image_shape[2],
        kernel_size,
        padding="same",
        activation=output_activation,
        name="output",
    )(x)
    extra_height = map_height * 2**levels - image_shape[0]
    extra_width = map_width * 2**levels - image_shape[1]
    if extra_height or extra_width:
        x = layers.Cropping2D(
            (
                (extra_height // 2, extra_height - extra_height // 2),
                (extra_width // 2, extra_width - extra_width // 2),
            ),
            name="crop",
        )(x)
    return keras.Model(codes, x, name="decoder")
