"""skae inside scikit-learn: pipelines, model selection, pandas, PCA comparison."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skae import DenseAutoencoder
from skae.metrics import round_trip_error, round_trip_scorer

FAST = dict(epochs=3, batch_size=64, random_state=0)


def test_pipeline_scaler_autoencoder_classifier(digits):
    X, y = digits[0][:400], digits[1][:400]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("encode", DenseAutoencoder(8, hidden_layer_sizes=(32,), **FAST)),
            ("classify", LogisticRegression(max_iter=500)),
        ]
    ).fit(X, y)
    assert pipe.named_steps["encode"].transform(
        StandardScaler().fit(X).transform(X)
    ).shape == (400, 8)
    assert pipe.score(X, y) > 0.3  # far above chance (0.1) even after 3 epochs


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search_over_pca_and_autoencoder(digits, n_jobs):
    X = digits[0][:300]
    pipe = Pipeline([("scale", MinMaxScaler()), ("reduce", PCA())])
    grid = GridSearchCV(
        pipe,
        {"reduce": [PCA(), DenseAutoencoder(**FAST)], "reduce__n_components": [2, 8]},
        scoring=round_trip_scorer,
        cv=2,
        n_jobs=n_jobs,
    ).fit(X)
    results = grid.cv_results_
    assert len(results["params"]) == 4
    assert np.all(np.isfinite(results["mean_test_score"]))
    assert np.all(results["mean_test_score"] < 0)
    # More components reconstruct better, for both kinds of reducer.
    by_params = {
        (type(p["reduce"]).__name__, p["reduce__n_components"]): s
        for p, s in zip(results["params"], results["mean_test_score"], strict=True)
    }
    assert by_params[("PCA", 8)] > by_params[("PCA", 2)]
    assert grid.best_params_["reduce__n_components"] == 8


def test_grid_search_with_default_score(small_X):
    grid = GridSearchCV(
        DenseAutoencoder(
            epochs=10, learning_rate=1e-2, early_stopping=False, random_state=0
        ),
        {"n_components": [1, 16]},
        cv=2,
    ).fit(small_X)
    assert grid.best_params_ == {"n_components": 16}
    assert grid.best_score_ == pytest.approx(grid.cv_results_["mean_test_score"].max())


def test_cross_val_score(small_X):
    scores = cross_val_score(DenseAutoencoder(4, **FAST), small_X, cv=3)
    assert scores.shape == (3,) and np.all(scores < 0) and np.all(np.isfinite(scores))


def test_reconstruction_error_agrees_with_score_for_mse(small_X):
    est = DenseAutoencoder(4, **FAST).fit(small_X)
    assert round_trip_error(est, small_X) == pytest.approx(
        -est.score(small_X), rel=1e-6
    )
    pca = PCA(4).fit(small_X)
    expected = np.mean((small_X - pca.inverse_transform(pca.transform(small_X))) ** 2)
    assert round_trip_error(pca, small_X) == pytest.approx(expected)
