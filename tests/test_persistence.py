"""clone, deepcopy, pickle, joblib (also in a fresh process), save/load."""

import copy
import pickle
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import skae
from skae import DenseAutoencoder

PARAMS = dict(
    n_components=3, hidden_layer_sizes=(16,), epochs=3, batch_size=32, random_state=0
)


@pytest.fixture(scope="module")
def fitted(small_X):
    return DenseAutoencoder(**PARAMS).fit(small_X)


def assert_same_outputs(a, b, X):
    assert_array_equal(a.transform(X), b.transform(X))
    assert_array_equal(a.predict(X), b.predict(X))
    assert_array_equal(a.score_samples(X), b.score_samples(X))


def test_deepcopy_is_independent(fitted, small_X):
    copy_ = copy.deepcopy(fitted)
    assert copy_.model_ is not fitted.model_
    assert_same_outputs(fitted, copy_, small_X)
    assert copy_.history_ == fitted.history_ and copy_.n_iter_ == fitted.n_iter_


@pytest.mark.backend_smoke
def test_pickle_round_trip(fitted, small_X):
    restored = pickle.loads(pickle.dumps(fitted))
    assert_same_outputs(fitted, restored, small_X)
    assert restored.encoder_ is restored.model_.get_layer("encoder")
    unfitted = pickle.loads(pickle.dumps(DenseAutoencoder(**PARAMS)))
    assert unfitted.get_params() == DenseAutoencoder(**PARAMS).get_params()


def test_pickled_model_keeps_optimizer_state_for_warm_start(small_X):
    est = DenseAutoencoder(**{**PARAMS, "warm_start": True}).fit(small_X)
    restored = pickle.loads(pickle.dumps(est))
    assert int(restored.model_.optimizer.iterations) == int(
        est.model_.optimizer.iterations
    )
    restored.fit(small_X)
    assert restored.n_iter_ == 6


def test_save_and_load_keeps_feature_names(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(np.random.RandomState(0).rand(40, 3), columns=["a", "b", "c"])
    est = DenseAutoencoder(**PARAMS).fit(frame)
    est.save(tmp_path / "ae.skae")
    loaded = skae.load(tmp_path / "ae.skae")
    assert_array_equal(loaded.feature_names_in_, ["a", "b", "c"])
    assert loaded.feature_names_in_.dtype == object
    assert_array_equal(loaded.transform(frame), est.transform(frame))


def test_save_unfitted_and_warns_about_callbacks(tmp_path):
    import keras

    est = DenseAutoencoder(callbacks=[keras.callbacks.TerminateOnNaN()], **PARAMS)
    with pytest.warns(UserWarning, match="callbacks are not saved"):
        est.save(tmp_path / "ae.skae")
    loaded = skae.load(tmp_path / "ae.skae")
    assert loaded.callbacks is None and not hasattr(loaded, "model_")
    assert loaded.hidden_layer_sizes == (16,)


def rewrite_archive(path, change):
    """Apply ``change`` to the members (a dict name -> bytes) of a zip file."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_load_refuses_classes_other_than_skae_and_sklearn(fitted, tmp_path):
    import json

    path = tmp_path / "ae.skae"
    fitted.save(path)

    def swap_class(members):
        manifest = json.loads(members["skae.json"])
        manifest["root"]["__object__"] = "subprocess:Popen"
        members["skae.json"] = json.dumps(manifest).encode()

    rewrite_archive(path, swap_class)
    with pytest.raises(ValueError, match="only skae and scikit-learn estimators"):
        skae.load(path)


def test_load_refuses_truncated_foreign_and_altered_files(fitted, tmp_path):
    path = tmp_path / "ae.skae"
    fitted.save(path)
    data = path.read_bytes()
    (tmp_path / "cut.skae").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a skae archive, or it is truncated"):
        skae.load(tmp_path / "cut.skae")
    (tmp_path / "text.skae").write_text("hello")
    with pytest.raises(ValueError, match="not a skae archive"):
        skae.load(tmp_path / "text.skae")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("readme.txt", "not skae")
    with pytest.raises(ValueError, match="no skae manifest"):
        skae.load(tmp_path / "other.zip")
    rewrite_archive(path, lambda members: members.update({"skae.json": b"{not json"}))
    with pytest.raises(ValueError, match="cannot load"):
        skae.load(path)


def test_load_reads_archives_of_format_1(fitted, small_X, tmp_path):
    import io
    import json

    from skae._persistence import model_to_bytes

    arrays = io.BytesIO()
    np.savez(arrays)
    meta = {
        "format": 1,
        "class": "DenseAutoencoder",
        "params": {**fitted.get_params(), "hidden_layer_sizes": {"__tuple__": [16]}},
        "attributes": {"n_features_in_": 64, "n_iter_": fitted.n_iter_},
        "object_arrays": [],
    }
    del meta["params"]["noise"], meta["params"]["noise_level"]
    path = tmp_path / "old.skae"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("estimator.json", json.dumps(meta))
        archive.writestr("arrays.npz", arrays.getvalue())
        archive.writestr("model.keras", model_to_bytes(fitted.model_))
    loaded = skae.load(path)
    assert loaded.hidden_layer_sizes == (16,) and loaded.n_iter_ == fitted.n_iter_
    assert_array_equal(loaded.transform(small_X), fitted.transform(small_X))


def test_save_and_load_keep_builtin_types_and_slices(small_X, tmp_path):
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from skae._persistence import save

    columns = ColumnTransformer(
        [
            ("scaled", StandardScaler(), slice(0, 3)),
            (
                "coded",
                OneHotEncoder(dtype=float, sparse_output=False),
                slice(3, None, 2),
            ),
        ]
    ).fit(small_X)
    save(columns, tmp_path / "columns.skae")
    loaded = skae.load(tmp_path / "columns.skae")
    assert loaded.transformers[0][2] == slice(0, 3)
    assert loaded.transformers[1][1].dtype is float
    assert_array_equal(loaded.transform(small_X), columns.transform(small_X))
