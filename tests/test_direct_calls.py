"""Direct calls of plain layers (``_keras/_direct_calls.py``): the same
outputs and the same training as Keras' own calls, used on PyTorch only."""

import keras
import numpy as np
import pytest
from sklearn.base import clone

from skae import (
    ConvAutoencoder,
    DenoisingAutoencoder,
    DenseAutoencoder,
    SequenceAutoencoder,
    VariationalAutoencoder,
)
from skae._keras import _autoencoder_model
from skae._keras._direct_calls import direct_call, is_plain, runs_direct_calls
from skae._keras._variables import restore, snapshot

BACKEND = keras.backend.backend()
# These tests read Keras variables and tensors with NumPy themselves; skae
# hides NumPy 2's warning about their __array__ only in its own calls.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.backend_smoke
def test_direct_calls_run_on_pytorch_only(monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return direct_call(*args, **kwargs)

    monkeypatch.setattr(_autoencoder_model, "direct_call", counted)
    model = DenseAutoencoder(n_components=2, epochs=1, random_state=0)
    model.fit(np.random.default_rng(0).random((40, 6), dtype="float32"))
    assert runs_direct_calls(model.model_) is (BACKEND == "torch")
    # Every training step and the validation go through it on PyTorch.
    assert (len(calls) > 1) is (BACKEND == "torch")


def test_plain_layers_are_those_whose_call_needs_no_keras_work():
    built = keras.layers.Dense(3)
    built.build((None, 4))
    assert is_plain(built)
    assert not is_plain(keras.layers.Dense(3))  # not built
    regularised = keras.layers.Dense(3, activity_regularizer="l1")
    regularised.build((None, 4))
    assert not is_plain(regularised)
    mixed = keras.layers.Dense(3, dtype="mixed_float16")
    mixed.build((None, 4))
    assert not is_plain(mixed)
    dropout = keras.layers.Dropout(0.5)
    dropout.build((None, 4))
    assert not is_plain(dropout)  # takes a training flag
    quantized = keras.layers.Dense(3)
    quantized.build((None, 4))
    quantized.quantize("int8")
    assert not is_plain(quantized)  # computes through quantized_call


def random_rows(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype="float32")


ESTIMATORS = {
    "dense-auto": (DenseAutoencoder(n_components=3), (60, 12)),
    "dense-sparse": (
        DenseAutoencoder(n_components=3, hidden_layer_sizes=(8,), activity_l1=1e-3),
        (60, 12),
    ),
    "dense-dropout-bn": (
        DenseAutoencoder(
            n_components=3,
            hidden_layer_sizes=(8,),
            dropout=0.2,
            batch_normalization=True,
        ),
        (60, 12),
    ),
    "denoising": (
        DenoisingAutoencoder(n_components=3, hidden_layer_sizes=(8,)),
        (60, 12),
    ),
    "conv": (ConvAutoencoder(n_components=4, filters=(4,)), (20, 8, 8)),
    "vae": (VariationalAutoencoder(n_components=2, hidden_layer_sizes=(8,)), (60, 12)),
    "sequence": (SequenceAutoencoder(n_components=3, units=(4,)), (20, 6, 2)),
}


def fitted(name, epochs=2):
    estimator, shape = ESTIMATORS[name]
    X = random_rows(shape)
    estimator = clone(estimator).set_params(epochs=epochs, random_state=0)
    return estimator.fit(X), X


def network_input(model, X):
    return keras.ops.convert_to_tensor(X.reshape((len(X), *model.inputs[0].shape[1:])))


def keras_calls_only(monkeypatch):
    monkeypatch.setattr(_autoencoder_model, "runs_direct_calls", lambda model: False)


def call_directly(model, inputs, training):
    """Through ``AutoencoderModel.call`` where it takes the direct path
    (PyTorch), else through ``direct_call`` itself."""
    if runs_direct_calls(model):
        return model(inputs) if training is None else model(inputs, training=training)
    return direct_call(model, inputs, training=training)


def added_losses(model):
    return float(sum(to_numpy(loss) for loss in model.losses))


@pytest.mark.backend_smoke
@pytest.mark.parametrize("training", [None, True], ids=["inference", "training"])
@pytest.mark.parametrize("name", ESTIMATORS)
def test_outputs_equal_those_of_keras_calls(name, training, monkeypatch):
    """Every architecture, its noise, dropout, batch normalisation, sampling
    and activity regularisation included: the same outputs, added losses and
    draws in training (the seed and moving statistics put back between the
    two calls)."""
    estimator, X = fitted(name)
    model = estimator.model_
    inputs = network_input(model, X)
    state = snapshot(model.variables)
    # PyTorch's dropout draws from torch's global generator.
    keras.utils.set_random_seed(1)
    direct = to_numpy(call_directly(model, inputs, training))
    direct_losses = added_losses(model)
    after_direct = [to_numpy(v.value) for v in model.variables]
    restore(model.variables, state)
    keras.utils.set_random_seed(1)
    keras_calls_only(monkeypatch)
    expected = to_numpy(model(inputs, training=training))
    np.testing.assert_array_equal(direct, expected)
    assert direct_losses == added_losses(model)
    for direct_value, variable in zip(after_direct, model.variables, strict=True):
        np.testing.assert_array_equal(direct_value, to_numpy(variable.value))


def test_inputs_of_another_dtype_are_converted_as_keras_does():
    estimator, X = fitted("dense-auto")
    model = estimator.model_
    wide = keras.ops.convert_to_tensor(X.astype("float64"))
    direct = direct_call(model, wide, training=False)
    assert keras.backend.standardize_dtype(direct.dtype) == "float32"
    expected = keras.Model.__call__(model, network_input(model, X), training=False)
    np.testing.assert_array_equal(to_numpy(direct), to_numpy(expected))


@pytest.mark.backend_smoke
@pytest.mark.parametrize(
    "name", ["dense-auto", "dense-sparse", "dense-dropout-bn", "vae"]
)
def test_training_equals_training_through_keras_calls(name, monkeypatch):
    """On PyTorch, where the fit uses them: the same weights and losses as a
    fit whose every layer goes through Keras' own call."""
    direct, X = fitted(name, epochs=3)
    keras_calls_only(monkeypatch)
    through_keras, _ = fitted(name, epochs=3)
    np.testing.assert_array_equal(direct.loss_curve_, through_keras.loss_curve_)
    pairs = zip(
        direct.model_.get_weights(), through_keras.model_.get_weights(), strict=True
    )
    for a, b in pairs:
        np.testing.assert_array_equal(a, b)
