"""ConvAutoencoder: convolutional encoder and mirrored decoder for images."""

from __future__ import annotations

import math

import keras

from .. import _persistence
from .._keras.networks import conv_decoder, conv_encoder
from .._utils._params import (
    Boolean,
    Constant,
    Interval,
    Options,
    Satisfies,
    as_layer_sizes,
)
from ._base import KERAS_ACTIVATION, BaseAutoencoder
from ._docs import fill_doc


def is_image_shape(value) -> bool:
    return (
        isinstance(value, (tuple, list))
        and len(value) in (2, 3)
        and all(Interval(1, integer=True).accepts(v) for v in value)
    )


def is_filters(value) -> bool:
    return len(as_layer_sizes(value)) >= 1


# Specifications shared by every estimator with a convolutional architecture.
IMAGE_SHAPE_SPEC = (
    Constant(None),
    Satisfies(is_image_shape, "a tuple (h, w) or (h, w, c) of positive ints"),
)
FILTERS_SPEC = Satisfies(is_filters, "a non-empty sequence of positive ints")


def image_network_shape(
    sample_shape: tuple[int, ...], image_shape, owner: str
) -> tuple[int, int, int]:
    """Return the ``(h, w, c)`` a convolutional network takes for these samples.

    ``image_shape`` when given (its size must match); else images as they are
    (one channel added to ``(h, w)``); flat samples of ``d`` values as square
    single-channel images when ``d`` is a perfect square, otherwise as images
    one pixel high.
    """
    n_values = math.prod(sample_shape)
    if image_shape is not None:
        shape = tuple(int(v) for v in image_shape)
        shape = shape if len(shape) == 3 else (*shape, 1)
        if math.prod(shape) != n_values:
            raise ValueError(
                f"image_shape={tuple(image_shape)} holds {math.prod(shape)} "
                f"values, but each sample of X has {n_values}."
            )
        return shape
    if len(sample_shape) == 3:
        return tuple(sample_shape)
    if len(sample_shape) == 2:
        return (*sample_shape, 1)
    if len(sample_shape) == 1:
        side = math.isqrt(n_values)
        return (side, side, 1) if side * side == n_values else (1, n_values, 1)
    raise ValueError(
        f"{owner} takes images (n, h, w) or (n, h, w, c), or flat 2-D input; got "
        f"samples of shape {sample_shape}."
    )


@_persistence.register
@fill_doc(noise_default="None", batch_size_default="256")
class ConvAutoencoder(BaseAutoencoder):
    """Convolutional autoencoder for images of any size and number of channels.

    The encoder is one block per entry of ``filters`` (a 2-D convolution with
    'same' padding, batch normalisation, the activation, then 2x2 pooling); the
    decoder mirrors it with upsampling and ends in a convolution to the image's
    channels, cropped to the input's exact size, so odd sizes work. By default
    this is the tutorial's Fashion-MNIST model: filters 32-16-16, and a code
    that is the last feature map (4 x 4 x 16 = 256 values for 28 x 28 images).
    With ``n_components`` a Dense layer of that width on the flattened map is
    the code instead.

    Images come as ``(n, h, w)``, ``(n, h, w, c)``, or flat ``(n, h * w * c)``
    with ``image_shape``. Flat input without ``image_shape`` is read as square
    single-channel images when the number of features is a perfect square
    (784 -> 28 x 28), and otherwise as images one pixel high (a 1-D
    convolution over the features), so Pipelines of tables work too.

    Parameters
    ----------
    n_components : int or None, default=None
        Width of a dense code layer on the flattened last feature map; None
        uses the feature map itself as the code.
    image_shape : tuple of int or None, default=None
        ``(h, w)`` or ``(h, w, c)``: the shape of one image when the input is
        flat 2-D (or to read other input as images of this shape). None infers
        it from the input, as described above.
    filters : tuple of int, default=(32, 16, 16)
        Filters of the encoder's convolutions, from input to code; the decoder
        mirrors them. Each level halves the height and width.
    kernel_size : int, default=3
        Height and width of every convolution kernel.
    pooling : {"max", "average"}, default="max"
        How each encoder level downsamples.
    activation : str, default="relu"
        Activation of the convolutions.
    code_activation : str, default="linear"
        Activation of the dense code layer (with ``n_components`` only).
    batch_normalization : bool, default=True
        Batch normalisation after every convolution, as in the tutorial.
    {output_and_loss_parameters}
    {training_parameters}
    {noise_parameters}
    {run_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    DenseAutoencoder : The fully connected autoencoder.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConvAutoencoder
    >>> X = load_digits().data / 16            # 64 pixels: read as 8 x 8 images
    >>> ae = ConvAutoencoder(filters=(8, 4), epochs=3, random_state=0).fit(X)
    >>> ae.transform(X).shape                   # the 2 x 2 x 4 feature map, flat
    (1797, 16)
    >>> ae.predict(X).shape
    (1797, 64)
    """

    # TensorFlow's CPU convolutions run about twice as slow under XLA (measured
    # with benchmarks/bench_conv.py --task speed): keep them on oneDNN.
    _xla_pays = False
    _takes_images = True

    _parameter_specs = {
        "n_components": (Constant(None), Interval(1, integer=True)),
        "image_shape": IMAGE_SHAPE_SPEC,
        "filters": FILTERS_SPEC,
        "kernel_size": Interval(1, integer=True),
        "pooling": Options(("max", "average")),
        "activation": KERAS_ACTIVATION,
        "code_activation": KERAS_ACTIVATION,
        "batch_normalization": Boolean(),
    }

    def __init__(
        self,
        n_components: int | None = None,
        *,
        image_shape=None,
        filters=(32, 16, 16),
        kernel_size: int = 3,
        pooling: str = "max",
        activation: str = "relu",
        code_activation: str = "linear",
        batch_normalization: bool = True,
        output_activation: str = "auto",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_schedule: str = "constant",
        batch_size: int = 256,
        epochs: int = 200,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 0.0,
        noise: str | None = None,
        noise_level: float = 0.5,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        callbacks=None,
    ):
        self.n_components = n_components
        self.image_shape = image_shape
        self.filters = filters
        self.kernel_size = kernel_size
        self.pooling = pooling
        self.activation = activation
        self.code_activation = code_activation
        self.batch_normalization = batch_normalization
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.noise = noise
        self.noise_level = noise_level
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks

    def _network_input_shape(self, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        return image_network_shape(sample_shape, self.image_shape, type(self).__name__)

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        return conv_encoder(
            input_shape,
            filters=as_layer_sizes(self.filters),
            kernel_size=self.kernel_size,
            pooling=self.pooling,
            activation=self.activation,
            batch_normalization=bool(self.batch_normalization),
            n_components=self.n_components,
            code_activation=self.code_activation,
        )

    def _build_decoder(
        self, latent_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        return conv_decoder(
            latent_shape,
            output_shape,
            filters=as_layer_sizes(self.filters),
            kernel_size=self.kernel_size,
            activation=self.activation,
            batch_normalization=bool(self.batch_normalization),
            output_activation=self._output_activation,
        )
