"""The variational encoder: any feature extractor with two Gaussian heads."""

from __future__ import annotations

import keras
from keras import layers


def gaussian_encoder(body: keras.Model, n_components: int) -> keras.Model:
    """Return ``x -> [mean, log_variance]`` of a diagonal Gaussian posterior.

    ``body`` maps the input to features (a dense stack, a convolutional stack);
    two Dense heads of ``n_components`` units read them. The log-variance head
    starts at zero weights, so training begins from unit variances. The mean
    comes first: it is the code that ``transform`` returns.
    """
    inputs = keras.Input(body.input_shape[1:], name="input")
    features = body(inputs)
    if len(features.shape) > 2:
        features = layers.Flatten(name="flatten")(features)
    mean = layers.Dense(n_components, name="code")(features)
    log_variance = layers.Dense(
        n_components, kernel_initializer="zeros", name="log_variance"
    )(features)
    return keras.Model(inputs, [mean, log_variance], name="encoder")
