"""CodeNeighbors: nearest-neighbour search among encoded samples."""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_is_fitted

from .. import _persistence
from .._utils._data import validate_samples
from .._utils._params import (
    Constant,
    Interval,
    Options,
    RandomState,
    Satisfies,
    check_params,
    check_value,
)
from .._utils._seeding import draw_seed, seeded_clone
from .._utils._state import restored_on_failure

_METRICS = ("euclidean", "cosine", "manhattan")
_INDEXES = ("exact", "approximate")
# The default encoder's code size, at most the number of features.
DEFAULT_CODE_SIZE = 32


def _is_encoder(value) -> bool:
    return hasattr(value, "fit") and hasattr(value, "transform")


def _is_index(value) -> bool:
    return hasattr(value, "fit") and (
        hasattr(value, "kneighbors") or hasattr(value, "transform")
    )


@_persistence.register
class CodeNeighbors(BaseEstimator):
    """Nearest-neighbour search in the code space of an encoder.

    ``fit`` fits the encoder on a database of samples, encodes them and builds
    a neighbours index on the codes; :meth:`kneighbors` encodes queries and
    returns the database rows whose codes are nearest. Searching short codes
    instead of raw features is faster, and a good encoder puts similar samples
    near each other (the information-retrieval use of autoencoders).

    Parameters
    ----------
    encoder : transformer, "passthrough" or None, default=None
        What turns samples into codes: any estimator with ``fit`` and
        ``transform`` (a skae autoencoder, PCA, a Pipeline), cloned and fitted
        on the database in ``fit``. To search with an encoder that is already
        fitted, wrap it in :class:`sklearn.frozen.FrozenEstimator`.
        ``"passthrough"`` searches the raw features (a baseline). ``None`` builds
        a :class:`~skae.DenseAutoencoder` with ``min(32, n_features)`` code
        units and its other parameters at their defaults.
    n_neighbors : int >= 1, default=10
        How many neighbours :meth:`kneighbors` returns by default; with an
        approximate index, how many it can return at most.
    metric : {"euclidean", "cosine", "manhattan"}, default="euclidean"
        The distance between codes for the ``"exact"`` and ``"approximate"``
        indexes. An index given as an estimator brings its own metric; then
        ``metric`` must stay at its default.
    index : {"exact", "approximate"} or estimator, default="exact"
        How neighbours are found:

        - ``"exact"``: brute-force search
          (:class:`~sklearn.neighbors.NearestNeighbors` with
          ``algorithm="brute"``), the true nearest neighbours;
        - ``"approximate"``: an NN-descent graph
          (``pynndescent.PyNNDescentTransformer``; ``pip install pynndescent``),
          much faster queries on large databases, nearly always the same
          neighbours;
        - an estimator, cloned and fitted on the codes: either one with
          ``kneighbors(X, n_neighbors)`` like
          :class:`~sklearn.neighbors.NearestNeighbors`, or a transformer whose
          ``transform`` returns the sparse graph of distances to its nearest
          database entries like :class:`~sklearn.neighbors.KNeighborsTransformer`
          with ``mode="distance"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the approximate index, and the encoder when its own
        ``random_state`` is None.

    Attributes
    ----------
    encoder_ : estimator or None
        The fitted encoder (None with ``encoder="passthrough"``).
    index_ : estimator
        The neighbours index, fitted on the database codes.
    n_samples_fit_ : int
        The number of samples in the database.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of the features seen in ``fit``, when they were all strings.

    See Also
    --------
    sklearn.neighbors.NearestNeighbors : The exact search on raw features.
    label_precision_at_k : Score a search with class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenseAutoencoder
    >>> from skae.neighbors import CodeNeighbors
    >>> X = load_digits().data / 16
    >>> search = CodeNeighbors(
    ...     DenseAutoencoder(8, hidden_layer_sizes=(32,), epochs=5, random_state=0)
    ... ).fit(X)
    >>> distances, indices = search.kneighbors(X[:3], n_neighbors=4)
    >>> indices.shape, indices[:, 0].tolist()
    ((3, 4), [0, 1, 2])
    """

    _parameter_specs = {
        "encoder": (
            Constant(None),
            Constant("passthrough"),
            Satisfies(_is_encoder, "an estimator with fit and transform"),
        ),
        "n_neighbors": Interval(1, integer=True),
        "metric": Options(_METRICS),
        "index": (
            Options(_INDEXES),
            Satisfies(_is_index, "an estimator with fit and kneighbors or transform"),
        ),
        "random_state": RandomState(),
    }

    def __init__(
        self,
        encoder=None,
        *,
        n_neighbors: int = 10,
        metric: str = "euclidean",
        index="exact",
        random_state=None,
    ):
        self.encoder = encoder
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.index = index
        self.random_state = random_state

    # -------------------------------------------------------------- fitting

    def _make_encoder(self, n_features: int):
        """The encoder to fit (``encoder`` not ``"passthrough"``)."""
        if self.encoder is None:
            from ..autoencoder import DenseAutoencoder

            return DenseAutoencoder(
                n_components=min(DEFAULT_CODE_SIZE, n_features),
                random_state=self.random_state,
            )
        return seeded_clone(self.encoder, self.random_state)

    def _make_index(self):
        if not isinstance(self.index, str):
            if self.metric != "euclidean":
                raise ValueError(
                    f"metric={self.metric!r} applies to index='exact' or "
                    "'approximate'; an index estimator brings its own metric: "
                    "set it there and leave metric at its default."
                )
            return clone(self.index)
        if self.index == "exact":
            return NearestNeighbors(
                n_neighbors=self.n_neighbors, algorithm="brute", metric=self.metric
            )
        try:
            from pynndescent import PyNNDescentTransformer
        except ImportError as error:
            raise ImportError(
                "index='approximate' needs the pynndescent package: "
                "pip install pynndescent (or pip install 'skae[search]')."
            ) from error
        seed = None if self.random_state is None else draw_seed(self.random_state)
        return PyNNDescentTransformer(
            n_neighbors=self.n_neighbors, metric=self.metric, random_state=seed
        )

    def fit(self, X, y=None):
        """Fit the encoder on the database ``X``, encode it and index the codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The database: samples in any layout the encoder takes (a table,
            images). Its rows are what :meth:`kneighbors` returns indices of.
        y : array-like of shape (n_samples,) or None, default=None
            Passed on to the encoder's ``fit``: skae's autoencoders ignore
            labels, a supervised encoder (e.g.
            :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`)
            learns from them.

        Returns
        -------
        self : object
            The fitted search.
        """
        # A failed fit leaves the search as it was before the call.
        with restored_on_failure(self):
            return self._fit(X, y)

    def _fit(self, X, y):
        check_params(self)
        index = self._make_index()
        if self.encoder == "passthrough":
            codes = self._flat(
                validate_samples(self, X, reset=True, ensure_min_samples=2)
            )
            encoder = None
        else:
            # The encoder validates X; its shape decides the default code size.
            n_features = int(np.prod(np.shape(X)[1:])) if np.ndim(X) > 1 else 1
            encoder = self._make_encoder(max(n_features, 1)).fit(X, y)
            codes = self._flat(encoder.transform(X))
            for name in ("n_features_in_", "feature_names_in_"):
                if hasattr(encoder, name):
                    setattr(self, name, getattr(encoder, name))
                elif hasattr(self, name):
                    delattr(self, name)
        self.index_ = index.fit(codes)
        self.encoder_ = encoder
        self.n_samples_fit_ = len(codes)
        return self

    @staticmethod
    def _flat(codes) -> np.ndarray:
        codes = np.asarray(codes)
        return codes.reshape(len(codes), -1)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "index_")

    # ------------------------------------------------------------- querying

    def _encode(self, X) -> np.ndarray:
        if self.encoder_ is None:
            return self._flat(validate_samples(self, X, reset=False))
        return self._flat(self.encoder_.transform(X))

    def kneighbors(self, X, n_neighbors: int | None = None, return_distance=True):
        """Find the database rows whose codes are nearest to those of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_queries, ...)
            The queries, in the layout of the database. A query that is in the
            database finds itself at distance 0 (first, up to ties).
        n_neighbors : int >= 1 or None, default=None
            How many neighbours per query; ``None`` uses the ``n_neighbors``
            parameter. An approximate or graph index returns at most the number
            it was built for.
        return_distance : bool, default=True
            Also return the distances.

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Distances in code space, ascending along each row; only with
            ``return_distance=True``.
        indices : ndarray of shape (n_queries, n_neighbors)
            Row indices into the database, nearest first.
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        check_value(k, "n_neighbors", Interval(1, integer=True))
        if k > self.n_samples_fit_:
            raise ValueError(
                f"n_neighbors={k} exceeds the {self.n_samples_fit_} samples in "
                "the database."
            )
        codes = self._encode(X)
        if hasattr(self.index_, "kneighbors"):
            distances, indices = self.index_.kneighbors(codes, n_neighbors=k)
        else:
            distances, indices = _nearest_in_graph(self.index_.transform(codes), k)
        indices = np.asarray(indices, dtype=np.intp)
        if return_distance:
            return np.asarray(distances, dtype=np.float64), indices
        return indices

    def save(self, path: str | os.PathLike) -> None:
        """Save the search to a file that :func:`skae.load` reads without pickle.

        The encoder and an exact index are saved with it; an approximate index
        is not a scikit-learn estimator, so saving it raises ``TypeError``
        (use joblib for it).

        Parameters
        ----------
        path : str or path-like
            Where to write the archive (a zip file; ``.skae`` is a good suffix).
        """
        _persistence.save(self, path)


def _nearest_in_graph(graph, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``k`` smallest distances per row of a sparse k-NN graph."""
    graph = sp.csr_array(graph)
    counts = np.diff(graph.indptr)
    if counts.min() < k:
        raise ValueError(
            f"the index returned {counts.min()} neighbours for some query, fewer "
            f"than n_neighbors={k}; build it with more neighbours."
        )
    if np.all(counts == counts[0]):
        shape = (graph.shape[0], counts[0])
        all_distances = graph.data.reshape(shape)
        all_indices = graph.indices.reshape(shape)
        # Ascending distance; ties go to the lower database index.
        order = np.lexsort((all_indices, all_distances), axis=-1)[:, :k]
        return (
            np.take_along_axis(all_distances, order, axis=1),
            np.take_along_axis(all_indices, order, axis=1),
        )
    rows = [_nearest_in_graph(graph[[row]], k) for row in range(graph.shape[0])]
    return np.vstack([d for d, _ in rows]), np.vstack([i for _, i in rows])
