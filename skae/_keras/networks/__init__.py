"""Builders of the Keras sub-networks that estimators compose, one module per
architecture."""

from ._conv import conv_block, conv_decoder, conv_encoder, pooled_shape
from ._dense import dense_block, dense_decoder, dense_encoder, dense_stack
from ._sequence import RECURRENT_CELLS, sequence_decoder, sequence_encoder
from ._variational import gaussian_encoder

__all__ = [
    "RECURRENT_CELLS",
    "conv_block",
    "conv_decoder",
    "conv_encoder",
    "dense_block",
    "dense_decoder",
    "dense_encoder",
    "dense_stack",
    "gaussian_encoder",
    "pooled_shape",
    "sequence_decoder",
    "sequence_encoder",
]
