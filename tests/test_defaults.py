"""The defaults: written down in one place, and what they promise."""

import ast
import inspect
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from skae import (
    ConvAutoencoder,
    DenoisingAutoencoder,
    DenseAutoencoder,
    VariationalAutoencoder,
)
from skae.autoencoder import BaseAutoencoder
from skae.autoencoder._dense import auto_hidden_layer_sizes

DESIGN = Path(__file__).resolve().parents[1] / "docs" / "design.md"
# The fit loop's parameters, which every autoencoder shares.
FIT_LOOP = (
    "output_activation",
    "loss",
    "optimizer",
    "learning_rate",
    "learning_rate_schedule",
    "epochs",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "noise_level",
    "random_state",
    "verbose",
    "warm_start",
    "callbacks",
)


def documented_defaults() -> dict:
    """The Parameters table of docs/design.md: name -> default value."""
    section = DESIGN.read_text().split("## Parameters", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \|", section, re.M)
    return {name: ast.literal_eval(value.strip("` ")) for name, value in rows}


def signature_defaults(cls) -> dict:
    return {
        name: p.default
        for name, p in inspect.signature(cls).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def test_the_parameters_table_is_the_dense_autoencoders_signature():
    documented = documented_defaults()
    actual = signature_defaults(DenseAutoencoder)
    assert documented == actual


@pytest.mark.parametrize(
    "cls", [DenoisingAutoencoder, ConvAutoencoder, VariationalAutoencoder]
)
def test_every_autoencoder_shares_the_fit_loops_defaults(cls):
    assert issubclass(cls, BaseAutoencoder)
    documented = documented_defaults()
    actual = signature_defaults(cls)
    assert {n: actual[n] for n in FIT_LOOP} == {n: documented[n] for n in FIT_LOOP}
    # The batch size is the one default that differs, as the table says.
    dense = cls is DenoisingAutoencoder
    assert actual["batch_size"] == (documented["batch_size"] if dense else 256)


def test_auto_hidden_layers_are_never_narrower_than_the_code():
    assert auto_hidden_layer_sizes(2) == (256, 128)
    assert auto_hidden_layer_sizes(32) == (256, 128)
    wide = auto_hidden_layer_sizes(200)
    assert min(wide) >= 200
    model = DenseAutoencoder(3, epochs=1).fit(np.random.RandomState(0).rand(40, 5))
    widths = {
        layer.name: layer.units
        for layer in model.encoder_.layers
        if hasattr(layer, "units")
    }
    assert widths == {
        "encoder_hidden_0": 256,
        "encoder_hidden_1": 128,
        "code_nonlinear": 3,
        "code_linear": 3,
    }


def test_the_default_beats_pca_on_held_out_digits(digits):
    from sklearn.decomposition import PCA

    from skae.metrics import round_trip_error

    X_train, X_test = train_test_split(digits[0], test_size=0.25, random_state=0)
    for k in (2, 8):
        pca = round_trip_error(PCA(k).fit(X_train), X_test)
        ae = DenseAutoencoder(k, random_state=0).fit(X_train)
        assert round_trip_error(ae, X_test) < pca


def test_validation_fraction_zero_without_early_stopping(digits):
    X = digits[0][:200]
    est = DenseAutoencoder(
        2, epochs=2, early_stopping=False, validation_fraction=0.0, random_state=0
    ).fit(X)
    assert est.n_iter_ == 2 and est.validation_loss_curve_ == []
    with pytest.raises(ValueError, match="validation_fraction"):
        DenseAutoencoder(2, epochs=2, validation_fraction=0.0).fit(X)


@pytest.mark.parametrize("n_components", [3, 40, 70])
def test_pca_weights_reconstruct_as_pca(digits, n_components):
    from sklearn.decomposition import PCA

    from skae.autoencoder._dense import pca_weights

    X = digits[0][:500]
    encoder_kernel, encoder_bias, decoder_kernel, decoder_bias = pca_weights(
        X, n_components
    )
    assert encoder_kernel.shape == (64, n_components)
    reconstruction = (X @ encoder_kernel + encoder_bias) @ decoder_kernel + decoder_bias
    pca = PCA(min(n_components, 64)).fit(X)
    np.testing.assert_allclose(
        reconstruction, pca.inverse_transform(pca.transform(X)), atol=1e-4
    )


def test_pca_weights_sample_long_inputs_from_every_part(monkeypatch):
    from skae.autoencoder import _dense

    # Sorted data: the first half varies along feature 0 only, the second half
    # along feature 1 only. PCA of the first rows alone would miss feature 1.
    rng = np.random.default_rng(0)
    X = np.zeros((600, 4))
    X[:300, 0] = rng.normal(size=300)
    X[300:, 1] = rng.normal(size=300)
    monkeypatch.setattr(_dense, "PCA_INIT_MAX_ROWS", 100)
    encoder_kernel, *_ = _dense.pca_weights(X, 2)
    spanned = np.abs(encoder_kernel[:2]).sum(axis=1)
    assert np.all(spanned > 0.9)


class MakeEveryStepWorse(keras.callbacks.Callback):
    """Scales the weights up after every step, so no epoch beats the start."""

    def on_train_batch_end(self, batch, logs=None):
        for variable in self.model.trainable_variables:
            variable.assign(variable * 1.5)


@pytest.mark.parametrize("source", ["array", "memmap"])
def test_the_pca_start_is_kept_when_no_epoch_beats_it(
    digits, source, tmp_path, monkeypatch
):
    from sklearn.decomposition import PCA

    from skae._utils import _sources

    X = digits[0][:400].astype(np.float32)
    data = X
    if source == "memmap":
        np.save(tmp_path / "X.npy", X)
        data = np.load(tmp_path / "X.npy", mmap_mode="r")
        monkeypatch.setattr(_sources, "MEMMAP_STREAM_MIN_BYTES", 0)
    est = DenseAutoencoder(
        3,
        epochs=4,
        n_iter_no_change=2,
        random_state=0,
        callbacks=[MakeEveryStepWorse()],
    ).fit(data)
    assert est.best_epoch_ == 0 and est.n_iter_ == 2
    assert est.best_loss_ < min(est.validation_loss_curve_)
    # The kept weights are PCA of every row given to fit, validation included
    # (streamed: every row of the sample, which here is all 400): the very PCA
    # a user would compare with.
    pca = PCA(3).fit(X)
    np.testing.assert_allclose(
        est.predict(X), pca.inverse_transform(pca.transform(X)), atol=1e-4
    )
