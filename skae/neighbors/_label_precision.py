"""How often a search returns neighbours of the query's own class."""

from __future__ import annotations

import numpy as np


def label_precision_at_k(
    neighbor_indices, query_labels, database_labels, k: int | None = None
) -> float:
    """Return the mean fraction of the ``k`` nearest neighbours in the query's class.

    This is precision@k of a retrieval where a database entry is relevant to a
    query when both have the same label: 1.0 when every returned neighbour
    shares its query's label.

    Parameters
    ----------
    neighbor_indices : array-like of shape (n_queries, n_neighbors)
        Row indices into the database, nearest first (as returned by
        :meth:`CodeNeighbors.kneighbors` or
        :meth:`sklearn.neighbors.NearestNeighbors.kneighbors`).
    query_labels : array-like of shape (n_queries,)
        The label of each query.
    database_labels : array-like of shape (n_database,)
        The label of each database entry.
    k : int or None, default=None
        Use the first ``k`` neighbours of each query; ``None`` uses them all.

    Returns
    -------
    float
        The fraction of relevant neighbours, averaged over the queries.
    """
    indices = np.asarray(neighbor_indices)
    query_labels = np.asarray(query_labels)
    database_labels = np.asarray(database_labels)
    if indices.ndim != 2 or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(
            "neighbor_indices must be a 2-D array of integers, got shape "
            f"{indices.shape} and dtype {indices.dtype}."
        )
    if query_labels.shape != (indices.shape[0],):
        raise ValueError(
            f"query_labels has shape {query_labels.shape}; expected one label per "
            f"query, ({indices.shape[0]},)."
        )
    if database_labels.ndim != 1:
        raise ValueError("database_labels must be a 1-D array.")
    if indices.size and (indices.min() < 0 or indices.max() >= len(database_labels)):
        raise ValueError(
            "neighbor_indices holds indices outside the database of "
            f"{len(database_labels)} labels."
        )
    if k is not None:
        if not 1 <= k <= indices.shape[1]:
            raise ValueError(f"k must be in [1, {indices.shape[1]}], got {k}.")
        indices = indices[:, :k]
    if indices.size == 0:
        raise ValueError("neighbor_indices is empty: no query or no neighbour.")
    return float(np.mean(database_labels[indices] == query_labels[:, None]))
