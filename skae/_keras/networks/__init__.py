"""Builders of the Keras sub-networks that estimators compose, one module per
architecture."""

from ._dense import dense_block, dense_decoder, dense_encoder, dense_stack

__all__ = [
    "dense_block",
    "dense_decoder",
    "dense_encoder",
    "dense_stack",
]
