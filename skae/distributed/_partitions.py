"""Apply a fitted estimator to a Dask collection, one partition at a time."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

METHODS = (
    "transform",
    "inverse_transform",
    "predict",
    "score_samples",
    "decision_function",
    "anomaly_score",
)


def _apply(block, estimator, method: str):
    """Run ``estimator.method`` on one block or partition (on a worker)."""
    return getattr(estimator, method)(block)


def _apply_to_frame(frame, estimator, method: str, columns):
    """Run the method on one DataFrame partition; keep the partition's index."""
    import pandas as pd

    values = np.asarray(getattr(estimator, method)(frame))
    if values.ndim == 1:
        return pd.Series(values, index=frame.index, name=method)
    return pd.DataFrame(values, index=frame.index, columns=columns)


def _output_of_one_row(estimator, method: str, row) -> np.ndarray:
    """Call the method on one row of zeros: the shape and dtype of its output."""
    return np.asarray(getattr(estimator, method)(row))


def apply_by_partition(estimator, data, method: str = "score_samples"):
    """Apply a fitted estimator's method to a Dask array or DataFrame, lazily.

    Each partition (a block of rows) is passed to ``getattr(estimator,
    method)`` on whichever worker holds it; the results form a Dask collection
    of the same rows. The estimator enters the task graph once, as a task of
    its own: each worker receives it once, not once per partition. With no
    Dask cluster the local threaded scheduler runs it. Results equal calling
    the method on the whole data in one process.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted skae or scikit-learn estimator (an autoencoder, an outlier
        detector, a Pipeline) that can be pickled.
    data : dask.array.Array or dask.dataframe.DataFrame
        The rows: a Dask array of shape ``(n_samples, ...)`` chunked along the
        first axis (other axes are merged into one chunk), or a DataFrame with
        the columns the estimator was fitted on.
    method : {"score_samples", "transform", "predict", "decision_function", \
"inverse_transform", "anomaly_score"}, default="score_samples"
        The method to apply.

    Returns
    -------
    dask.array.Array or dask.dataframe.Series or dask.dataframe.DataFrame
        Lazy results, one per row: call ``.compute()``, or write them out
        partition by partition (``to_zarr``, ``to_parquet``). A Dask array
        gives a Dask array; a DataFrame gives a Series (one value per row,
        named after the method) or a DataFrame (several, with the estimator's
        ``get_feature_names_out()`` as columns when it has it), on the
        partitions' index.

    Raises
    ------
    TypeError
        If ``data`` is not a Dask array or DataFrame.
    ValueError
        If ``method`` is not one of the methods above, or the estimator lacks
        it.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from skae import ReconstructionOutlierDetector
    >>> from skae.distributed import apply_by_partition
    >>> X = np.random.default_rng(0).normal(size=(1000, 5))
    >>> detector = ReconstructionOutlierDetector(PCA(2)).fit(X)
    >>> scores = apply_by_partition(detector, da.from_array(X, chunks=250))
    >>> scores.chunks
    ((250, 250, 250, 250),)
    >>> bool(np.allclose(scores.compute(), detector.score_samples(X)))
    True
    """
    import dask

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    check_is_fitted(estimator)
    if not callable(getattr(estimator, method, None)):
        raise ValueError(f"{type(estimator).__name__} has no method {method!r}.")
    shipped = dask.delayed(estimator, pure=True, traverse=False)
    kind = _collection_kind(data)
    if kind == "array":
        return _apply_to_array(estimator, shipped, data, method)
    return _apply_to_dataframe(estimator, shipped, data, method)


def _collection_kind(data) -> str:
    try:
        import dask.array as da
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - dask is installed with skae[dask]
        da = dd = None
    if da is not None and isinstance(data, da.Array):
        return "array"
    if dd is not None and isinstance(data, dd.DataFrame):
        return "dataframe"
    raise TypeError(
        "data must be a dask.array.Array or a dask.dataframe.DataFrame, got "
        f"{type(data).__name__}; for data in memory, call the estimator's method "
        "directly."
    )


def _apply_to_array(estimator, shipped, data, method: str):
    if data.ndim < 2:
        raise ValueError(f"data must have a row axis and a feature axis: {data.shape}.")
    data = data.rechunk({axis: -1 for axis in range(1, data.ndim)})
    zeros = np.zeros((1, *data.shape[1:]), data.dtype)
    sample = _output_of_one_row(estimator, method, zeros)
    chunks = (data.chunks[0], *((size,) for size in sample.shape[1:]))
    options = {}
    if sample.ndim < data.ndim:
        options["drop_axis"] = list(range(sample.ndim, data.ndim))
    elif sample.ndim > data.ndim:
        options["new_axis"] = list(range(data.ndim, sample.ndim))
    return data.map_blocks(
        _apply,
        shipped,
        method,
        dtype=sample.dtype,
        chunks=chunks,
        meta=np.empty((0, *sample.shape[1:]), sample.dtype),
        **options,
    )


def _apply_to_dataframe(estimator, shipped, data, method: str):
    import pandas as pd

    zeros = pd.DataFrame(np.zeros((1, len(data.columns))), columns=data.columns)
    sample = _output_of_one_row(estimator, method, zeros.astype(data.dtypes))
    if sample.ndim == 1:
        meta = pd.Series(np.empty(0, sample.dtype), name=method)
        columns = None
    else:
        columns = _output_columns(estimator, method, sample.reshape(1, -1).shape[1])
        meta = pd.DataFrame(np.empty((0, len(columns)), sample.dtype), columns=columns)
    return data.map_partitions(
        _apply_to_frame, shipped, method, columns, meta=meta, align_dataframes=False
    )


def _output_columns(estimator, method: str, width: int) -> list[str]:
    if method == "transform" and hasattr(estimator, "get_feature_names_out"):
        try:
            names = list(estimator.get_feature_names_out())
        except (AttributeError, ValueError, TypeError):
            names = []
        if len(names) == width:
            return [str(name) for name in names]
    return [f"{method}{j}" for j in range(width)]
