"""DenoisingAutoencoder and its corruption layer."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skae import DenoisingAutoencoder, DenseAutoencoder, load
from skae._keras.layers import InputCorruption

FAST = dict(epochs=3, batch_size=32, random_state=0)


def noisy(X, level, seed=1):
    rng = np.random.RandomState(seed)
    return np.clip(X + level * rng.normal(size=X.shape), 0.0, 1.0)


@pytest.mark.backend_smoke
def test_corruption_acts_in_training_only():
    ones = np.ones((2000, 50), dtype="float32")
    mask = InputCorruption("mask", 0.3, seed=0)
    np.testing.assert_array_equal(np.asarray(mask(ones, training=False)), ones)
    masked = np.asarray(mask(ones, training=True))
    assert set(np.unique(masked)) == {0.0, 1.0}
    assert abs((masked == 0).mean() - 0.3) < 0.01
    gaussian = InputCorruption("gaussian", 0.5, seed=0)
    noise = np.asarray(gaussian(ones, training=True)) - 1.0
    assert abs(noise.std() - 0.5) < 0.01 and abs(noise.mean()) < 0.01
    clipped = InputCorruption("gaussian", 0.5, value_range=(0.0, 1.0), seed=0)
    clipped = np.asarray(clipped(ones, training=True))
    assert clipped.min() >= 0.0 and clipped.max() == 1.0
    half = np.full((2000, 50), 0.5, dtype="float32")
    salted = InputCorruption("salt_and_pepper", 0.2, value_range=(-1.0, 3.0), seed=0)
    np.testing.assert_array_equal(np.asarray(salted(half, training=False)), half)
    salted = np.asarray(salted(half, training=True))
    assert set(np.unique(salted)) == {-1.0, 0.5, 3.0}
    assert abs((salted == -1.0).mean() - 0.1) < 0.01
    assert abs((salted == 3.0).mean() - 0.1) < 0.01


def test_models_saved_before_value_range_still_load():
    config = InputCorruption("gaussian", 0.5, value_range=(0.0, 1.0)).get_config()
    config["clip"] = config.pop("value_range")
    assert InputCorruption.from_config(config).value_range == (0.0, 1.0)


def test_every_autoencoder_denoises_with_the_training_range(small_X):
    from skae import DenseAutoencoder

    scaled = small_X * 4 - 1  # values in [-1, 3]
    ae = DenseAutoencoder(2, noise="salt_and_pepper", noise_level=0.1, **FAST)
    layer = ae.fit(scaled).model_.get_layer("corruption")
    assert layer.noise == "salt_and_pepper" and layer.value_range == (-1.0, 3.0)


def test_corruption_layer_rejects_unknown_noise():
    with pytest.raises(ValueError, match="noise must be one of"):
        InputCorruption("salt", 0.1)


@pytest.mark.backend_smoke
def test_fit_predict_are_deterministic_and_corruption_sits_in_model(small_X):
    dae = DenoisingAutoencoder(4, hidden_layer_sizes=(16,), **FAST).fit(small_X)
    assert dae.model_.get_layer("corruption").noise == "gaussian"
    assert_array_equal(dae.predict(small_X), dae.predict(small_X))
    other = DenoisingAutoencoder(4, hidden_layer_sizes=(16,), **FAST).fit(small_X)
    assert_array_equal(dae.transform(small_X), other.transform(small_X))


def test_denoises_better_than_a_plain_autoencoder(digits):
    X = digits[0]
    X_train, X_test = X[:1400], X[1400:]
    params = dict(
        n_components=64,
        hidden_layer_sizes=(128,),
        loss="binary_crossentropy",
        epochs=40,
        early_stopping=False,
        random_state=0,
    )
    dae = DenoisingAutoencoder(noise_level=0.3, **params).fit(X_train)
    plain = DenseAutoencoder(**params).fit(X_train)
    corrupted = noisy(X_test, 0.3)

    def error(model):
        return np.mean((model.predict(corrupted) - X_test) ** 2)

    noise_error = np.mean((corrupted - X_test) ** 2)
    assert error(dae) < 0.6 * noise_error
    assert error(dae) < 0.9 * error(plain)


def test_masking_noise_trains(small_X):
    dae = DenoisingAutoencoder(8, noise="mask", noise_level=0.3, **FAST).fit(small_X)
    assert dae.model_.get_layer("corruption").level == pytest.approx(0.3)
    assert np.isfinite(dae.score(small_X))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"noise": "salt"}, "noise must be None or one of"),
        ({"noise_level": -0.1}, "noise_level"),
        ({"noise": "mask", "noise_level": 1.0}, "noise_level"),
    ],
)
def test_bad_noise_parameters(params, match, small_X):
    dae = DenoisingAutoencoder(2, **params, **FAST)
    with pytest.raises(ValueError, match=match):
        dae.fit(small_X)
    assert not hasattr(dae, "model_")


@pytest.mark.backend_smoke
def test_pickle_and_safe_save_keep_the_noise(small_X, tmp_path):
    dae = DenoisingAutoencoder(3, noise="mask", noise_level=0.2, **FAST).fit(small_X)
    copy = pickle.loads(pickle.dumps(dae))
    dae.save(tmp_path / "dae.skae")
    loaded = load(tmp_path / "dae.skae")
    for other in (copy, loaded):
        assert type(other) is DenoisingAutoencoder and other.noise == "mask"
        assert_array_equal(other.predict(small_X), dae.predict(small_X))
        assert other.model_.get_layer("corruption").level == pytest.approx(0.2)
