"""Running skae on existing engines: Dask for data, joblib backends for searches.

skae brings no scheduler of its own. A fitted estimator scores or encodes a
Dask array or DataFrame partition by partition with :func:`apply_by_partition`;
searches run their fits on a Dask cluster or on Ray through joblib's backends
(see the user guide's page on scaling out).
"""

from ._partitions import apply_by_partition

__all__ = ["apply_by_partition"]
