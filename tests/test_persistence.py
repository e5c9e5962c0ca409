"""clone, deepcopy, pickle, joblib (also in a fresh process), save/load."""

import copy
import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

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


def test_clone_unfitted_and_fitted(fitted):
    for est in (DenseAutoencoder(**PARAMS), fitted):
        copy_ = clone(est)
        assert copy_.get_params() == est.get_params()
        assert not hasattr(copy_, "model_")


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


def test_joblib_round_trip_in_a_fresh_process(fitted, small_X, tmp_path):
    model_path = tmp_path / "model.joblib"
    data_path = tmp_path / "X.npy"
    out_path = tmp_path / "codes.npy"
    joblib.dump(fitted, model_path)
    np.save(data_path, small_X)
    script = (
        "import joblib, numpy as np, sys;"
        f"est = joblib.load({str(model_path)!r});"
        f"np.save({str(out_path)!r}, est.transform(np.load({str(data_path)!r})))"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    assert_array_equal(np.load(out_path), fitted.transform(small_X))


def test_save_and_load_without_pickle(fitted, small_X, tmp_path):
    path = tmp_path / "ae.skae"
    fitted.save(path)
    with zipfile.ZipFile(path) as archive:
        assert not any(
            name.endswith((".pkl", ".pickle")) for name in archive.namelist()
        )
    loaded = skae.load(path)
    assert type(loaded) is DenseAutoencoder
    assert loaded.get_params() == fitted.get_params()
    assert loaded.history_ == fitted.history_ and loaded.n_iter_ == fitted.n_iter_
    assert_same_outputs(fitted, loaded, small_X)


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


def test_load_rejects_foreign_classes(fitted, tmp_path):
    import json

    path = tmp_path / "ae.skae"
    fitted.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(members["estimator.json"])
    meta["class"] = "Popen"
    members["estimator.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="is not a skae estimator"):
        skae.load(path)
