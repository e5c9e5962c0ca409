"""skae on existing engines: Dask scoring, searches on a local Dask cluster and Ray."""

import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV, KFold

from skae import DenseAutoencoder, ReconstructionOutlierDetector
from skae.distributed import apply_by_partition
from skae.metrics import round_trip_scorer

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

# Partitions are other batches: on some CPUs float32 kernels round a row
# differently there (docs/design.md, Data and dtypes).
FLOAT32_ROUNDING = dict(rtol=1e-5, atol=1e-6)


@pytest.fixture(scope="module")
def autoencoder(small_X):
    return DenseAutoencoder(3, epochs=3, random_state=0).fit(small_X)


@pytest.fixture(scope="module")
def detector(small_X):
    return ReconstructionOutlierDetector(PCA(4), marginal_bins=None).fit(small_X)


@pytest.mark.parametrize(
    "method", ["transform", "predict", "score_samples", "inverse_transform"]
)
def test_partitions_of_an_array_give_what_one_process_gives(
    autoencoder, small_X, method
):
    data = small_X if method != "inverse_transform" else autoencoder.transform(small_X)
    lazy = apply_by_partition(autoencoder, da.from_array(data, chunks=(64, 10)), method)
    expected = getattr(autoencoder, method)(data)
    assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
    assert lazy.chunks[0] == (64, 64, 64, 8)
    assert_allclose(lazy.compute(), expected, **FLOAT32_ROUNDING)


def test_images_keep_their_layout(small_X):
    images = small_X.reshape(-1, 8, 8)
    model = DenseAutoencoder(2, epochs=1, random_state=0).fit(images)
    lazy = apply_by_partition(
        model, da.from_array(images, chunks=(50, 4, 4)), "predict"
    )
    assert lazy.shape == images.shape
    assert_allclose(lazy.compute(), model.predict(images), **FLOAT32_ROUNDING)
    codes = apply_by_partition(model, da.from_array(images, chunks=50), "transform")
    assert codes.shape == (200, 2)


def test_the_estimator_enters_the_graph_once(detector, small_X):
    from dask.core import flatten, get_dependencies

    lazy = apply_by_partition(detector, da.from_array(small_X, chunks=20))
    graph = dict(lazy.__dask_graph__())
    model_keys = [k for k in graph if str(k).startswith(type(detector).__name__)]
    assert len(model_keys) == 1  # one task holds the model ...
    blocks = list(flatten(lazy.__dask_keys__()))
    assert len(blocks) == 10  # ... and every block's task depends on it
    assert all(model_keys[0] in get_dependencies(graph, key) for key in blocks)


def test_a_dataframe_gives_a_series_or_named_columns(detector, autoencoder, small_X):
    frame = pd.DataFrame(small_X, columns=[f"p{j}" for j in range(64)])
    frame.index = frame.index + 1000
    lazy = dd.from_pandas(frame, npartitions=4)
    named = clone(detector).fit(frame)
    flags = apply_by_partition(named, lazy, "predict").compute()
    assert flags.name == "predict" and list(flags.index) == list(frame.index)
    assert_allclose(flags.to_numpy(), named.predict(frame))
    model = clone(autoencoder).fit(frame)
    codes = apply_by_partition(model, lazy, "transform").compute()
    assert list(codes.columns) == list(model.get_feature_names_out())
    assert_allclose(codes.to_numpy(), model.transform(frame), **FLOAT32_ROUNDING)


def test_bad_requests_are_refused(detector, small_X):
    with pytest.raises(TypeError, match="dask.array.Array"):
        apply_by_partition(detector, small_X)
    with pytest.raises(ValueError, match="method must be one of"):
        apply_by_partition(detector, da.from_array(small_X), "fit")
    with pytest.raises(ValueError, match="has no method 'transform'"):
        apply_by_partition(detector, da.from_array(small_X), "transform")


# -------------------------------------------------- real clusters on loopback


def small_search():
    return GridSearchCV(
        DenseAutoencoder(epochs=3, batch_size=64, random_state=0),
        {"n_components": [2, 6]},
        scoring=round_trip_scorer,
        cv=KFold(2),
        n_jobs=2,
    )


def assert_same_search(distributed, local):
    assert distributed.best_params_ == local.best_params_
    # Seeded fits; a worker may run the backend with another number of
    # threads, which sums in another order: float32 rounding, grown over the
    # steps of training (up to 1.3e-3 seen under a loaded machine).
    assert_allclose(
        distributed.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        rtol=5e-3,
    )


@pytest.fixture(scope="module")
def local_search(small_X):
    search = small_search().set_params(n_jobs=1)
    return search.fit(small_X)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_search_on_a_local_dask_cluster(dask_client, local_search, small_X):
    from dask.distributed import get_task_stream
    from joblib import parallel_config

    with get_task_stream(dask_client) as tasks, parallel_config(backend="dask"):
        search = small_search().fit(small_X)
    assert_same_search(search, local_search)
    # The fits ran on the cluster's two workers, not in the test process
    # (joblib runs a search in the caller when the cluster has one slot).
    assert {task["worker"] for task in tasks.data} == set(
        dask_client.scheduler_info()["workers"]
    )


def test_scoring_on_a_local_dask_cluster(dask_client, detector, small_X):
    lazy = apply_by_partition(detector, da.from_array(small_X, chunks=25))
    scores = dask_client.compute(lazy).result()
    assert_allclose(scores, detector.score_samples(small_X), **FLOAT32_ROUNDING)


def test_search_on_a_local_ray(local_search, small_X):
    ray = pytest.importorskip("ray")
    from joblib import parallel_config
    from ray.util.joblib import register_ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        register_ray()
        with parallel_config(backend="ray"):
            search = small_search().fit(small_X)
    finally:
        ray.shutdown()
    assert_same_search(search, local_search)
