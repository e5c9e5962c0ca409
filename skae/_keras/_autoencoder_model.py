"""The Keras model that every skae estimator trains."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="skae")
class AutoencoderModel(keras.Model):
    """A functional Keras model whose training target is its own input.

    ``fit(x)`` with no ``y`` trains to reconstruct ``x``: the data reach Keras
    once, not twice as ``(x, x)``, which saves memory and a copy per batch. Loss
    terms that layers add with ``add_loss`` (activity regularisation, a VAE's
    KL divergence) are summed in by Keras as usual.
    """

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        if y is None:
            y = x
        return super().compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
        )
