"""Distance of each window to its nearest reference window (a discord score)."""

from __future__ import annotations

import numpy as np

#: Query rows x reference rows compared per block: about 32 MB of float64.
BLOCK_PAIRS = 1 << 22


def nearest_distances(
    queries: np.ndarray,
    reference: np.ndarray,
    *,
    query_starts: np.ndarray | None = None,
    reference_starts: np.ndarray | None = None,
    exclusion: int = 0,
) -> np.ndarray:
    """Euclidean distance from each query row to its nearest reference row.

    Parameters
    ----------
    queries : ndarray of shape (n_queries, n_values)
        Flat windows to score.
    reference : ndarray of shape (n_reference, n_values)
        Flat windows to compare them with.
    query_starts, reference_starts : ndarray of int or None, default=None
        Where each window starts in one common series. With ``exclusion``
        they exclude trivial matches: a reference window that starts fewer
        than ``exclusion`` points from a query's start is never its nearest.
    exclusion : int, default=0
        Half-width of the exclusion zone, in time points; 0 compares every
        pair.

    Returns
    -------
    ndarray of float64, shape (n_queries,)
        The distances; ``inf`` for a query whose every reference window is
        excluded.
    """
    queries = np.asarray(queries, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    excluding = exclusion > 0 and query_starts is not None
    reference_norms = np.einsum("ij,ij->i", reference, reference)
    reference_t = reference.T
    block = max(1, BLOCK_PAIRS // max(1, len(reference)))
    nearest = np.empty(len(queries))
    for begin in range(0, len(queries), block):
        rows = queries[begin : begin + block]
        squared = rows @ reference_t
        squared *= -2.0
        squared += reference_norms
        squared += np.einsum("ij,ij->i", rows, rows)[:, None]
        if excluding:
            gaps = query_starts[begin : begin + block, None] - reference_starts
            squared[np.abs(gaps) < exclusion] = np.inf
        nearest[begin : begin + len(rows)] = squared.min(axis=1)
    # Rounding can leave tiny negative squares for (near-)identical windows.
    return np.sqrt(np.maximum(nearest, 0.0))
