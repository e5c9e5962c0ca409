"""Similarity search in code space: CodeNeighbors and label_precision_at_k."""

import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.neighbors import KNeighborsTransformer, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae
from skae import CodeNeighbors, ConvAutoencoder, DenseAutoencoder
from skae.neighbors import label_precision_at_k

FAST = dict(epochs=3, batch_size=64, random_state=0)


@pytest.fixture(scope="module")
def database(digits):
    X, y = digits
    return X[:500], y[:500]


@pytest.fixture(scope="module")
def dense_search(database):
    encoder = DenseAutoencoder(6, hidden_layer_sizes=(32,), **FAST)
    return CodeNeighbors(encoder, n_neighbors=5).fit(database[0])


def brute_force(codes, queries, k, metric="euclidean"):
    return NearestNeighbors(n_neighbors=k, metric=metric).fit(codes).kneighbors(queries)


# ---------------------------------------------------------------- exact search


@pytest.mark.parametrize(
    "encoder",
    ["passthrough", PCA(8), DenseAutoencoder(6, hidden_layer_sizes=(32,), **FAST)],
    ids=["passthrough", "PCA", "DenseAutoencoder"],
)
def test_every_query_in_the_database_finds_itself_first(encoder, database):
    X = database[0]
    search = CodeNeighbors(encoder, n_neighbors=4).fit(X)
    distances, indices = search.kneighbors(X)
    assert indices.shape == distances.shape == (len(X), 4)
    assert_array_equal(indices[:, 0], np.arange(len(X)))
    assert_allclose(distances[:, 0], 0, atol=1e-3)
    assert np.all(np.diff(distances, axis=1) >= 0)


def test_the_neighbours_are_those_of_the_codes(dense_search, database, digits):
    queries = digits[0][1500:1600]
    codes = dense_search.encoder_.transform(database[0])
    expected_distances, expected = brute_force(
        codes, dense_search.encoder_.transform(queries), 7
    )
    distances, indices = dense_search.kneighbors(queries, n_neighbors=7)
    assert_array_equal(indices, expected)
    assert_allclose(distances, expected_distances, rtol=1e-4, atol=1e-5)
    assert_array_equal(
        dense_search.kneighbors(queries, return_distance=False)[:, :5], expected[:, :5]
    )


def test_cosine_metric(database, digits):
    X = database[0]
    search = CodeNeighbors(PCA(8), metric="cosine", n_neighbors=5).fit(X)
    queries = digits[0][1500:1550]
    codes = search.encoder_.transform(X)
    _, expected = brute_force(codes, search.encoder_.transform(queries), 5, "cosine")
    assert_array_equal(search.kneighbors(queries)[1], expected)
    euclidean = CodeNeighbors(PCA(8), n_neighbors=5).fit(X).kneighbors(queries)[1]
    assert not np.array_equal(euclidean, expected)


def test_a_pipeline_encoder_and_a_prefitted_frozen_one(database, digits):
    X = database[0]
    queries = digits[0][1500:1550]
    pipeline = make_pipeline(StandardScaler(), PCA(5))
    search = CodeNeighbors(pipeline).fit(X)
    fitted = make_pipeline(StandardScaler(), PCA(5)).fit(digits[0][:1000])
    frozen = CodeNeighbors(FrozenEstimator(fitted)).fit(X)
    # The frozen encoder is used as it was fitted (on 1000 rows, not 500).
    assert_allclose(frozen.encoder_.transform(queries), fitted.transform(queries))
    assert not np.array_equal(
        search.kneighbors(queries)[1], frozen.kneighbors(queries)[1]
    )
    _, expected = brute_force(fitted.transform(X), fitted.transform(queries), 10)
    assert_array_equal(frozen.kneighbors(queries)[1], expected)


def test_images_search_in_their_layout(database):
    images = database[0].reshape(-1, 8, 8)
    for encoder in ["passthrough", ConvAutoencoder(4, filters=(8,), **FAST)]:
        search = CodeNeighbors(encoder, n_neighbors=3).fit(images)
        assert search.n_features_in_ == 64
        assert_array_equal(search.kneighbors(images[:20])[1][:, 0], np.arange(20))
        # The flat form of the same images gives the same answer.
        assert_array_equal(
            search.kneighbors(database[0][:20])[1], search.kneighbors(images[:20])[1]
        )


def test_the_default_encoder_is_a_dense_autoencoder_with_32_codes():
    search = CodeNeighbors(random_state=0)
    encoder = search._make_encoder(64)
    assert isinstance(encoder, DenseAutoencoder)
    assert encoder.n_components == 32 and encoder.random_state == 0
    assert search._make_encoder(10).n_components == 10


def test_the_random_state_reaches_an_unseeded_encoder_only(database):
    X = database[0]
    unseeded = DenseAutoencoder(4, epochs=2, batch_size=64)
    first = CodeNeighbors(unseeded, random_state=3).fit(X)
    second = CodeNeighbors(unseeded, random_state=3).fit(X)
    assert first.encoder_.random_state == 3
    assert_array_equal(first.kneighbors(X[:30])[1], second.kneighbors(X[:30])[1])
    seeded = CodeNeighbors(unseeded.set_params(random_state=1), random_state=3)
    assert seeded.fit(X).encoder_.random_state == 1


# ------------------------------------------------------------ other indexes


class GraphOnly(TransformerMixin, BaseEstimator):
    """A k-NN graph transformer without kneighbors (as pynndescent's)."""

    def __init__(self, n_neighbors=5):
        self.n_neighbors = n_neighbors

    def fit(self, X, y=None):
        self.graph_ = KNeighborsTransformer(
            n_neighbors=self.n_neighbors, mode="distance"
        ).fit(X)
        return self

    def transform(self, X):
        return self.graph_.transform(X)


def test_a_graph_index_gives_the_exact_neighbours(database, digits):
    X = database[0]
    queries = digits[0][1500:1600]
    graph = CodeNeighbors(PCA(8), index=GraphOnly(n_neighbors=6)).fit(X)
    exact = CodeNeighbors(PCA(8)).fit(X)
    distances, indices = graph.kneighbors(queries, n_neighbors=6)
    expected_distances, expected = exact.kneighbors(queries, n_neighbors=6)
    assert_array_equal(indices, expected)
    assert_allclose(distances, expected_distances, rtol=1e-5)
    # KNeighborsTransformer's graph holds n_neighbors + 1 entries a row.
    with pytest.raises(ValueError, match="7 neighbours .* fewer than n_neighbors=8"):
        graph.kneighbors(queries, n_neighbors=8)


# pynndescent compiles itself with numba: over a minute on CI's 2 cores.
@pytest.mark.slow
def test_the_approximate_index_finds_nearly_the_exact_neighbours(database, digits):
    pytest.importorskip("pynndescent")
    X = digits[0][:1500]
    queries = digits[0][1500:]
    approximate = CodeNeighbors(
        PCA(16), index="approximate", n_neighbors=10, random_state=0
    ).fit(X)
    _, exact = CodeNeighbors(PCA(16)).fit(X).kneighbors(queries)
    distances, indices = approximate.kneighbors(queries)
    recall = (
        np.mean(
            [len(np.intersect1d(a, b)) for a, b in zip(indices, exact, strict=True)]
        )
        / 10
    )
    assert recall > 0.95
    assert np.all(np.diff(distances, axis=1) >= 0)
    assert_array_equal(approximate.kneighbors(X[:50])[1][:, 0], np.arange(50))
    with pytest.raises(TypeError, match="use joblib"):
        approximate.save("never-written.skae")


def test_approximate_without_pynndescent_says_what_to_install(database, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynndescent", None)
    search = CodeNeighbors("passthrough", index="approximate")
    with pytest.raises(ImportError, match="pip install pynndescent"):
        search.fit(database[0])
    assert not hasattr(search, "index_")


# ------------------------------------------------------------------ errors


def test_bad_requests(dense_search, database):
    X = database[0]
    with pytest.raises(ValueError, match="exceeds the 500 samples"):
        dense_search.kneighbors(X[:2], n_neighbors=501)
    with pytest.raises(ValueError, match="^n_neighbors must be"):
        dense_search.kneighbors(X[:2], n_neighbors=0)
    with pytest.raises(ValueError, match="metric='cosine' applies to"):
        CodeNeighbors(PCA(2), metric="cosine", index=NearestNeighbors()).fit(X)


def test_saved_and_loaded_search_answers_the_same(dense_search, database, tmp_path):
    dense_search.save(tmp_path / "search.skae")
    loaded = skae.load(tmp_path / "search.skae")
    X = database[0][:40]
    for left, right in zip(
        loaded.kneighbors(X), dense_search.kneighbors(X), strict=True
    ):
        assert_array_equal(left, right)


# ------------------------------------------------------------ the precision


def test_label_precision_at_k_counts_neighbours_of_the_same_class():
    database_labels = np.array([0, 0, 1, 1, 2])
    neighbours = np.array([[0, 1, 2], [4, 3, 2]])
    queries = np.array([0, 1])
    assert label_precision_at_k(neighbours, queries, database_labels) == pytest.approx(
        (2 / 3 + 2 / 3) / 2
    )
    assert label_precision_at_k(neighbours, queries, database_labels, k=1) == 0.5
    assert label_precision_at_k(
        neighbours, np.array(["a", "b"]), np.array(list("aabbc"))
    ) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "neighbours, queries, match",
    [
        (np.array([[0.5, 1]]), np.array([0]), "integers"),
        (np.array([[0, 1]]), np.array([0, 1]), "one label per query"),
        (np.array([[0, 9]]), np.array([0]), "outside the database"),
        (np.empty((0, 3), dtype=int), np.empty(0), "empty"),
    ],
)
def test_label_precision_at_k_refuses_what_it_cannot_score(neighbours, queries, match):
    with pytest.raises(ValueError, match=match):
        label_precision_at_k(neighbours, queries, np.zeros(5))
    with pytest.raises(ValueError, match="k must be in"):
        label_precision_at_k(np.array([[0, 1]]), np.array([0]), np.zeros(5), k=3)
