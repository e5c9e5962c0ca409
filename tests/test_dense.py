"""DenseAutoencoder: architecture, methods, scores and training behaviour."""

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skae import DenseAutoencoder

FAST = dict(epochs=3, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def fitted(small_X):
    return DenseAutoencoder(3, hidden_layer_sizes=(16, 8), **FAST).fit(small_X)


def dense_widths(model):
    return [
        layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)
    ]


def test_architecture_mirrors_hidden_layers(fitted):
    assert dense_widths(fitted.encoder_) == [16, 8, 3]
    assert dense_widths(fitted.decoder_) == [8, 16, 64]
    assert fitted.model_.get_layer("encoder") is fitted.encoder_


@pytest.mark.backend_smoke
def test_methods_shapes_and_dtypes(fitted, small_X):
    codes = fitted.transform(small_X)
    assert codes.shape == (200, 3) and codes.dtype == np.float32
    decoded = fitted.inverse_transform(codes)
    assert decoded.shape == small_X.shape and decoded.dtype == np.float32
    assert_allclose(decoded, fitted.predict(small_X), atol=1e-5)
    scores = fitted.score_samples(small_X)
    assert scores.shape == (200,) and scores.dtype == np.float64
    assert np.all(np.isfinite(scores))
    assert fitted.score(small_X) == pytest.approx(scores.mean())


def test_score_is_minus_mean_squared_error(fitted, small_X):
    expected = -np.mean((small_X - fitted.predict(small_X)) ** 2, axis=1)
    assert_allclose(fitted.score_samples(small_X), expected, rtol=1e-6)
    per_feature = fitted.reconstruction_error(small_X, per_feature=True)
    assert per_feature.shape == small_X.shape
    assert_allclose(per_feature.mean(axis=1), -expected, rtol=1e-6)


def test_binary_crossentropy_score_matches_keras_loss(small_X):
    est = DenseAutoencoder(4, loss="binary_crossentropy", **FAST).fit(small_X)
    assert est.model_.layers[-1].get_layer("output").activation.__name__ == "sigmoid"
    keras_bce = keras.losses.BinaryCrossentropy()(small_X, est.predict(small_X))
    assert -est.score(small_X) == pytest.approx(float(keras_bce), rel=1e-3)


def test_output_activation_auto_is_linear_for_mse(fitted):
    assert fitted.decoder_.get_layer("output").activation.__name__ == "linear"


def test_feature_names_out(fitted):
    assert list(fitted.get_feature_names_out()) == [
        "denseautoencoder0",
        "denseautoencoder1",
        "denseautoencoder2",
    ]


def test_sparse_autoencoder_penalises_code_activity(small_X):
    plain = DenseAutoencoder(16, code_activation="relu", **FAST).fit(small_X)
    sparse = DenseAutoencoder(16, code_activation="relu", activity_l1=0.05, **FAST).fit(
        small_X
    )
    assert sparse.encoder_.get_layer("code").activity_regularizer is not None
    assert (
        np.abs(sparse.transform(small_X)).mean()
        < np.abs(plain.transform(small_X)).mean()
    )


def test_dropout_and_batch_normalization_layers(small_X):
    est = DenseAutoencoder(
        2, hidden_layer_sizes=(8,), dropout=0.2, batch_normalization=True, **FAST
    ).fit(small_X)
    kinds = {type(layer).__name__ for layer in est.encoder_.layers}
    assert {"Dropout", "BatchNormalization"} <= kinds
    # Inference is deterministic: dropout is off outside training.
    assert_array_equal(est.transform(small_X), est.transform(small_X))


def test_fit_restores_global_random_state(small_X):
    np.random.seed(123)  # noqa: NPY002 (the legacy global state is the point)
    expected = np.random.rand()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002 (the legacy global state is the point)
    DenseAutoencoder(2, **FAST).fit(small_X)
    assert np.random.rand() == expected  # noqa: NPY002


def test_history_attributes(small_X):
    est = DenseAutoencoder(2, epochs=4, batch_size=32, random_state=0).fit(small_X)
    assert est.n_iter_ == 4 == len(est.loss_curve_) == len(est.validation_loss_curve_)
    assert est.history_["loss"] == est.loss_curve_
    assert est.best_loss_ == min(est.validation_loss_curve_)
    assert est.validation_loss_curve_[est.best_epoch_ - 1] == est.best_loss_


def test_fits_through_keras_fit_are_reproducible(small_X, monkeypatch):
    """Keras' fit shuffles with the backend's global seed: seeded per fit."""
    from skae._keras import _epoch_loop

    monkeypatch.setattr(_epoch_loop, "MAX_LOOP_SAMPLES", 0)
    fits = [
        DenseAutoencoder(2, epochs=3, batch_size=8, random_state=seed).fit(small_X)
        for seed in (0, 0, 1)
    ]
    assert fits[0].loss_curve_ == fits[1].loss_curve_
    assert fits[0].loss_curve_ != fits[2].loss_curve_


def test_unseeded_keras_random_ops_follow_the_seed():
    import keras

    from skae._utils._seeding import keras_seed

    draws = []
    for _ in range(2):
        with keras_seed(7):
            draws.append(keras.ops.convert_to_numpy(keras.random.uniform((3,))))
    assert_array_equal(draws[0], draws[1])


def test_warm_start_counts_the_best_epoch_over_all_fits(small_X):
    est = DenseAutoencoder(
        2, epochs=3, batch_size=32, warm_start=True, n_iter_no_change=50, random_state=0
    )
    est.fit(small_X).fit(small_X)
    assert est.n_iter_ == 6 == len(est.validation_loss_curve_)
    assert 1 <= est.best_epoch_ <= est.n_iter_
    assert est.validation_loss_curve_[est.best_epoch_ - 1] == est.best_loss_


def test_without_early_stopping_training_loss_plateau_stops(small_X):
    est = DenseAutoencoder(
        2,
        early_stopping=False,
        epochs=50,
        n_iter_no_change=2,
        tol=10.0,
        **{k: v for k, v in FAST.items() if k != "epochs"},
    ).fit(small_X)
    assert est.n_iter_ == 3  # first epoch sets the best; two without a gain of 10
    assert est.validation_loss_curve_ == []


def test_user_callbacks_run(small_X):
    class CountEpochs(keras.callbacks.Callback):
        epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            CountEpochs.epochs += 1

    DenseAutoencoder(2, callbacks=[CountEpochs()], **FAST).fit(small_X)
    assert CountEpochs.epochs == 3


def test_verbose_prints_epochs(small_X, capsys):
    DenseAutoencoder(2, verbose=2, **FAST).fit(small_X)
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out and "val_loss" in out


def test_beats_pca_with_two_components_on_held_out_digits(digits):
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    from skae.metrics import round_trip_error

    X_train, X_test = train_test_split(digits[0], test_size=0.25, random_state=0)
    ae = DenseAutoencoder(2, hidden_layer_sizes=(128, 64), random_state=0).fit(X_train)
    pca = PCA(2).fit(X_train)
    assert round_trip_error(ae, X_test) < 0.9 * round_trip_error(pca, X_test)
