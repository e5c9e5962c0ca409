"""VariationalAutoencoder: the KL term, likelihood scores, sampling, safety."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV

import skae
from skae import ReconstructionOutlierDetector, VariationalAutoencoder

BCE = dict(loss="binary_crossentropy", random_state=0)


@pytest.fixture(scope="module")
def digits_split(digits):
    X = digits[0]
    return X[:1200], X[1200:1500]


@pytest.fixture(scope="module")
def vae(digits_split):
    return VariationalAutoencoder(2, epochs=40, **BCE).fit(digits_split[0])


def test_kl_term_is_trained_and_shrinks_the_codes(vae, digits_split):
    X_train, _ = digits_split
    assert "sampling" in [layer.name for layer in vae.model_.layers]
    plain = VariationalAutoencoder(2, epochs=40, beta=0.0, **BCE).fit(X_train)
    # With the KL term the posterior means stay near the N(0, I) prior.
    assert vae.transform(X_train).std(axis=0).max() < 1.5
    assert (
        plain.transform(X_train).std(axis=0).min()
        > vae.transform(X_train).std(axis=0).max()
    )
    # The KL part of the loss is non-zero: the ELBO is below the reconstruction
    # log-likelihood at the posterior mean.
    reconstruction_nll = 64 * vae.reconstruction_error(X_train[:100])
    assert np.all(-vae.score_samples(X_train[:100]) > reconstruction_nll)


def test_held_out_digits_score_above_noise(vae, digits_split):
    _, X_test = digits_split
    noise = np.random.RandomState(0).rand(300, 64)
    assert vae.score_samples(X_test).min() > np.median(vae.score_samples(noise))


def test_importance_weighted_bound_tightens_with_k(vae, digits_split):
    _, X_test = digits_split
    elbo = vae.score_samples(X_test)
    bounds = [vae.score_samples(X_test, importance_samples=k) for k in (5, 50, 500)]
    # The bounds rise with K in expectation; where the posterior is already
    # close, neighbouring K differ by less than the Monte Carlo noise, so each
    # step may fall by at most two standard errors of the per-sample change.
    for lower, higher in zip([elbo, *bounds[:-1]], bounds, strict=True):
        change = higher - lower
        standard_error = change.std(ddof=1) / np.sqrt(len(change))
        assert change.mean() >= -2 * standard_error
    assert bounds[2].mean() > elbo.mean()
    with pytest.raises(ValueError, match="importance_samples"):
        vae.score_samples(X_test, importance_samples=0)


def test_scores_are_deterministic_and_per_sample(vae, digits_split):
    _, X_test = digits_split
    whole = vae.score_samples(X_test)
    assert_array_equal(whole, vae.score_samples(X_test))
    assert_array_equal(whole[::-1][:10], vae.score_samples(X_test[::-1][:10]))
    assert vae.score(X_test) == pytest.approx(whole.mean())


def test_transform_is_the_posterior_mean_and_predict_decodes_it(vae, digits_split):
    _, X_test = digits_split
    codes = vae.transform(X_test)
    assert_array_equal(codes, vae.transform(X_test))
    assert_array_equal(vae.predict(X_test), vae.inverse_transform(codes))


def test_sample_returns_the_fitted_layout(vae, digits_split):
    samples = vae.sample(5, random_state=0)
    assert samples.shape == (5, 64) and samples.min() >= 0 and samples.max() <= 1
    assert_array_equal(samples, vae.sample(5, random_state=0))
    images = digits_split[0].reshape(-1, 8, 8)
    conv = VariationalAutoencoder(
        2, architecture="conv", filters=(8, 16), epochs=2, **BCE
    ).fit(images)
    assert conv.sample(3, random_state=1).shape == (3, 8, 8)
    assert conv.transform(images).shape == (len(images), 2)
    with pytest.raises(ValueError, match="n_samples"):
        conv.sample(0)


def test_conv_architecture_puts_hidden_layers_between_maps_and_latent(
    digits_split, tmp_path
):
    images = digits_split[0].reshape(-1, 8, 8)

    def dense_widths(model):
        return [
            layer.units
            for layer in _all_layers(model)
            if layer.name.startswith(("encoder_hidden", "decoder_hidden"))
            and hasattr(layer, "units")
        ]

    settings = dict(architecture="conv", filters=(4,), epochs=1, **BCE)
    deep = VariationalAutoencoder(2, hidden_layer_sizes=(24, 12), **settings)
    deep.fit(images)
    assert dense_widths(deep.encoder_) == [24, 12]
    assert dense_widths(deep.decoder_) == [12, 24]
    shallow = VariationalAutoencoder(2, hidden_layer_sizes=(), **settings)
    shallow.fit(images)
    assert dense_widths(shallow.encoder_) == dense_widths(shallow.decoder_) == []
    # The latent heads read the last hidden layer, or the flattened map.
    assert deep.encoder_.get_layer("code").kernel.shape == (12, 2)
    assert shallow.encoder_.get_layer("code").kernel.shape == (4 * 4 * 4, 2)
    assert deep.predict(images[:5]).shape == (5, 8, 8)
    # The nested network survives pickling and skae's archive.
    deep.save(tmp_path / "conv_vae.skae")
    for copy in (
        skae.load(tmp_path / "conv_vae.skae"),
        pickle.loads(pickle.dumps(deep)),
    ):
        assert_array_equal(
            copy.score_samples(images[:20]), deep.score_samples(images[:20])
        )


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def test_extreme_inputs_and_log_variances_give_finite_scores(vae, digits_split):
    _, X_test = digits_split
    gaussian = VariationalAutoencoder(2, epochs=2, random_state=0).fit(X_test)
    extreme = np.full((3, 64), 1e30)
    assert np.all(np.isfinite(gaussian.score_samples(extreme)))
    head = vae.encoder_.get_layer("log_variance")
    kernel, bias = head.get_weights()
    head.set_weights([kernel, bias + 1e4])
    try:
        scores = vae.score_samples(X_test, importance_samples=10)
        assert np.all(np.isfinite(scores))
        assert np.all(np.isfinite(vae.score_samples(X_test)))
    finally:
        head.set_weights([kernel, bias])


def test_grid_search_uses_the_elbo_without_a_scoring_argument(digits_split):
    X_train, _ = digits_split
    grid = GridSearchCV(
        VariationalAutoencoder(epochs=5, **BCE), {"n_components": [1, 4]}, cv=2
    ).fit(X_train[:400])
    assert grid.best_params_["n_components"] == 4
    assert grid.best_score_ == pytest.approx(grid.cv_results_["mean_test_score"].max())


def test_outlier_detector_scores_with_the_elbo(digits):
    X, y = digits
    detector = ReconstructionOutlierDetector(
        VariationalAutoencoder(4, epochs=30, **BCE), scaler=None, marginal_bins=None
    ).fit(X[y == 0][:150])
    assert detector.error_ == "score_samples"
    inliers = detector.anomaly_score(X[y == 0][150:])
    outliers = detector.anomaly_score(X[y == 1][:50])
    assert np.median(outliers) > np.percentile(inliers, 90)


def test_the_bound_weighs_the_kl_term_by_one_whatever_beta_trained(digits_split):
    X_train, X_test = digits_split
    vae = VariationalAutoencoder(2, epochs=3, beta=4.0, **BCE).fit(X_train)
    trained_with_beta = vae.score_samples(X_test)
    vae.beta = 1.0  # the networks are unchanged; only the attribute differs
    assert_array_equal(trained_with_beta, vae.score_samples(X_test))


def test_bernoulli_scores_refuse_data_outside_the_unit_interval(vae, digits_split):
    _, X_test = digits_split
    with pytest.raises(ValueError, match=r"needs data in \[0, 1\]"):
        vae.score_samples(X_test * 2.0)
    with pytest.raises(ValueError, match="n_samples must be an int"):
        vae.sample(True)
