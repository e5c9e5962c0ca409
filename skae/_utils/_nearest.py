"""Distance of each row to its nearest reference rows, exactly, in blocks.

The time-series detector's discord (a window's distance to its nearest
training window) and the outlier detector's code-neighbour part (a code's mean
distance to its nearest training codes).
"""

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
    k: int = 1,
) -> np.ndarray:
    """Mean Euclidean distance from each query row to its ``k`` nearest reference rows.

    Parameters
    ----------
    queries : ndarray of shape (n_queries, n_values)
        Rows to score (flat windows, codes).
    reference : ndarray of shape (n_reference, n_values)
        Rows to compare them with.
    query_starts, reference_starts : ndarray of int or None, default=None
        Where each window starts in one common series. With ``exclusion``
        they exclude trivial matches: a reference window that starts fewer
        than ``exclusion`` points from a query's start is never its nearest.
    exclusion : int, default=0
        Half-width of the exclusion zone, in time points; 0 compares every
        pair. With the row numbers as starts, ``exclusion=1`` skips exactly
        the row itself (a training row in the reference).
    k : int, default=1
        How many nearest reference rows to average over (at most all of them).

    Returns
    -------
    ndarray of float64, shape (n_queries,)
        The distances; ``inf`` for a query left with fewer than ``k``
        reference rows after the exclusion.
    """
    queries = np.asarray(queries, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    excluding = exclusion > 0 and query_starts is not None
    # Sorted reference starts (windows in series order, the usual case) put
    # each query's excluded references in one run of columns, found by
    # binary search instead of comparing every pair.
    banded = excluding and bool(np.all(np.diff(reference_starts) >= 0))
    reference_norms = np.einsum("ij,ij->i", reference, reference)
    # |q - r|^2 = |r|^2 - 2 q.r + |q|^2. Scaling by -2 is exact, and adding
    # |q|^2 (the same along a row) keeps the order, so it is added to the k
    # nearest only: the same numbers as adding it to every pair, with two
    # passes over a block instead of five.
    minus_twice_reference_t = -2.0 * reference.T
    block = max(1, BLOCK_PAIRS // max(1, len(reference)))
    k = max(1, min(k, len(reference)))
    nearest = np.empty(len(queries))
    for begin in range(0, len(queries), block):
        rows = queries[begin : begin + block]
        partial = rows @ minus_twice_reference_t
        partial += reference_norms
        if banded:
            starts = query_starts[begin : begin + block]
            first = np.searchsorted(reference_starts, starts - exclusion, "right")
            stop = np.searchsorted(reference_starts, starts + exclusion, "left")
            for row in np.flatnonzero(stop > first):
                partial[row, first[row] : stop[row]] = np.inf
        elif excluding:
            gaps = query_starts[begin : begin + block, None] - reference_starts
            partial[np.abs(gaps) < exclusion] = np.inf
        if k == 1:  # the common case, without partitioning
            nearest_k = partial.min(axis=1, keepdims=True)
        else:
            nearest_k = np.partition(partial, k - 1, axis=1)[:, :k]
        nearest_k += np.einsum("ij,ij->i", rows, rows)[:, None]
        # Rounding can leave tiny negative squares for (near-)identical rows.
        nearest_k = np.sqrt(np.maximum(nearest_k, 0.0))
        nearest[begin : begin + len(rows)] = nearest_k.mean(axis=1)
    return nearest
