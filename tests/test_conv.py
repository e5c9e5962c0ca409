"""ConvAutoencoder: layouts, odd sizes, channels, codes, denoising."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skae import ConvAutoencoder, ReconstructionOutlierDetector

FAST = dict(epochs=2, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def images():
    return np.random.RandomState(0).rand(40, 27, 31, 3).astype(np.float32)


@pytest.mark.backend_smoke
def test_odd_sizes_and_three_channels_round_trip(images):
    ae = ConvAutoencoder(filters=(8, 4), **FAST).fit(images)
    assert ae.input_shape_ == (27, 31, 3)
    codes = ae.transform(images)
    # 27 x 31 pools to 14 x 16, then 7 x 8: the code is that map, flat.
    assert codes.shape == (40, 7 * 8 * 4) and codes.dtype == np.float32
    assert ae.predict(images).shape == images.shape
    assert ae.inverse_transform(codes).shape == images.shape
    assert_array_equal(ae.inverse_transform(codes), ae.predict(images))


def test_dense_code_of_n_components(images):
    ae = ConvAutoencoder(5, filters=(4,), **FAST).fit(images)
    assert ae.transform(images).shape == (40, 5)
    assert ae.get_feature_names_out().tolist() == [
        f"convautoencoder{i}" for i in range(5)
    ]


def test_flat_input_with_image_shape(images):
    flat = images.reshape(40, -1)
    ae = ConvAutoencoder(filters=(4,), image_shape=(27, 31, 3), **FAST).fit(flat)
    assert ae.model_.input_shape == (None, 27, 31, 3)
    assert ae.predict(flat).shape == flat.shape  # the layout fitted: flat
    with pytest.raises(ValueError, match="image_shape=.* holds 12 values"):
        ConvAutoencoder(image_shape=(2, 2, 3), **FAST).fit(flat)


@pytest.mark.parametrize(
    "n_features, network_shape", [(64, (8, 8, 1)), (10, (1, 10, 1)), (1, (1, 1, 1))]
)
def test_flat_input_without_image_shape(n_features, network_shape):
    X = np.random.RandomState(0).rand(20, n_features)
    ae = ConvAutoencoder(filters=(4,), **FAST).fit(X)
    assert ae.model_.input_shape[1:] == network_shape
    assert ae.predict(X).shape == X.shape


def test_grayscale_images_without_channel_axis(images):
    gray = images[..., 0]
    ae = ConvAutoencoder(filters=(4,), **FAST).fit(gray)
    assert ae.model_.input_shape[1:] == (27, 31, 1)
    assert ae.predict(gray).shape == gray.shape
    assert ae.transform(gray.reshape(40, -1)).shape == ae.transform(gray).shape


def test_noise_acts_in_training_only(images):
    ae = ConvAutoencoder(filters=(4,), noise="salt_and_pepper", noise_level=0.3, **FAST)
    ae.fit(images)
    corruption = ae.model_.get_layer("corruption")
    assert not np.allclose(np.asarray(corruption(images, training=True)), images)
    assert_array_equal(np.asarray(corruption(images, training=False)), images)
    codes = ae.encoder_.predict(images, verbose=0).reshape(40, -1)
    assert_array_equal(ae.transform(images), codes)


def test_learns_a_clean_target(digits):
    clean = digits[0].reshape(-1, 8, 8)[:1000]
    noise = np.random.RandomState(0).normal(0, 0.4, clean.shape)
    noisy = np.clip(clean + noise, 0, 1)
    ae = ConvAutoencoder(
        filters=(32, 16), loss="binary_crossentropy", epochs=40, random_state=0
    ).fit(noisy, clean)
    denoised_error = np.mean((ae.predict(noisy) - clean) ** 2)
    assert denoised_error < 0.5 * np.mean((noisy - clean) ** 2)


def test_outlier_detector_with_a_conv_autoencoder_on_images(digits):
    X, y = digits
    zeros, others = X[y == 0].reshape(-1, 8, 8), X[y != 0][:100].reshape(-1, 8, 8)
    detector = ReconstructionOutlierDetector(
        ConvAutoencoder(filters=(16, 8), epochs=30, random_state=0), random_state=0
    ).fit(zeros[:150])
    assert detector.input_shape_ == (8, 8)
    inliers = detector.anomaly_score(zeros[150:])
    outliers = detector.anomaly_score(others)
    assert np.median(outliers) > np.percentile(inliers, 90)
    per_pixel = detector.reconstruction_error(others[:2], per_feature=True)
    assert per_pixel.shape == (2, 8, 8)
