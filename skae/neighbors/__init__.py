"""Similarity search in code space: nearest neighbours of encoded samples."""

from ._code_neighbors import CodeNeighbors
from ._label_precision import label_precision_at_k

__all__ = ["CodeNeighbors", "label_precision_at_k"]
