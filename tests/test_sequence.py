"""SequenceAutoencoder: layouts, cells, and what a recurrent code buys over PCA."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.decomposition import PCA

from skae import SequenceAutoencoder

FAST = dict(epochs=2, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def sequences():
    """40 sequences of 12 steps and 3 features."""
    return np.random.RandomState(0).rand(40, 12, 3).astype(np.float32)


def bumps(n_sequences: int, steps: int, rng) -> np.ndarray:
    """Univariate sequences of one Gaussian bump at a random place and width."""
    centre = rng.uniform(0, steps, (n_sequences, 1))
    width = rng.uniform(1.5, 3, (n_sequences, 1))
    t = np.arange(steps)[None]
    return np.exp(-0.5 * ((t - centre) / width) ** 2)[:, :, None]


@pytest.mark.backend_smoke
def test_multivariate_sequences_round_trip(sequences):
    ae = SequenceAutoencoder(4, units=(8,), **FAST).fit(sequences)
    assert ae.input_shape_ == (12, 3) and ae.n_features_in_ == 36
    codes = ae.transform(sequences)
    assert codes.shape == (40, 4) and codes.dtype == np.float32
    assert ae.predict(sequences).shape == sequences.shape
    assert_array_equal(ae.inverse_transform(codes), ae.predict(sequences))
    # The flat layout of the same data is accepted after fitting on sequences.
    assert_array_equal(ae.transform(sequences.reshape(40, -1)), codes)


def test_univariate_sequences_with_and_without_a_feature_axis(sequences):
    univariate = sequences[:, :, 0]
    ae = SequenceAutoencoder(2, units=(8,), **FAST).fit(univariate)
    assert ae.model_.input_shape == (None, 12, 1)
    assert ae.predict(univariate).shape == (40, 12)  # the layout fitted
    ae3 = SequenceAutoencoder(2, units=(8,), **FAST).fit(univariate[:, :, None])
    assert ae3.predict(univariate[:, :, None]).shape == (40, 12, 1)


def test_flat_input_with_sequence_shape(sequences):
    flat = sequences.reshape(40, -1)  # time-major: step 0's 3 features first
    ae = SequenceAutoencoder(2, sequence_shape=(12, 3), units=(8,), **FAST).fit(flat)
    assert ae.model_.input_shape == (None, 12, 3)
    assert ae.predict(flat).shape == flat.shape
    same = SequenceAutoencoder(2, units=(8,), **FAST).fit(sequences)
    assert_array_equal(ae.transform(flat), same.transform(sequences))
    with pytest.raises(ValueError, match=r"sequence_shape=\(5, 5\) holds 25 values"):
        SequenceAutoencoder(sequence_shape=(5, 5), **FAST).fit(flat)


def test_input_of_four_axes_needs_a_sequence_shape():
    with pytest.raises(ValueError, match="takes sequences"):
        SequenceAutoencoder(**FAST).fit(np.zeros((10, 4, 4, 2)))
    ae = SequenceAutoencoder(2, sequence_shape=(16, 2), units=(4,), **FAST)
    assert ae.fit(np.zeros((10, 4, 4, 2))).model_.input_shape == (None, 16, 2)


@pytest.mark.parametrize("cell, layer", [("lstm", "LSTM"), ("gru", "GRU")])
def test_cells_and_stacked_layers(sequences, cell, layer):
    ae = SequenceAutoencoder(3, cell=cell, units=(8, 4), **FAST).fit(sequences)
    recurrent = [type(lay).__name__ for lay in ae.encoder_.layers + ae.decoder_.layers]
    assert recurrent.count(layer) == 4  # two in the encoder, two mirrored
    encoder_widths = [
        lay.units for lay in ae.encoder_.layers if type(lay).__name__ == layer
    ]
    decoder_widths = [
        lay.units for lay in ae.decoder_.layers if type(lay).__name__ == layer
    ]
    assert encoder_widths == [8, 4] and decoder_widths == [4, 8]


def test_denoising_sequences(sequences):
    ae = SequenceAutoencoder(
        2, units=(8,), noise="gaussian", noise_level=0.2, **FAST
    ).fit(sequences)
    assert ae.predict(sequences).shape == sequences.shape


def test_beats_pca_with_as_many_components_on_clean_windows():
    """Windows of a moving bump lie on a curved 2-D manifold: a recurrent
    code of 2 values follows it, two principal components cannot."""
    rng = np.random.RandomState(0)
    train, test = bumps(600, 24, rng), bumps(200, 24, rng)
    ae = SequenceAutoencoder(
        2, units=(32,), epochs=25, early_stopping=False, batch_size=32, random_state=0
    ).fit(train)
    ae_mse = np.mean((ae.predict(test) - test) ** 2)
    pca = PCA(2).fit(train.reshape(600, -1))
    flat = test.reshape(200, -1)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(flat)) - flat) ** 2)
    assert ae_mse < 0.5 * pca_mse
