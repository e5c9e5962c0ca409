"""One test suite over every public estimator.

Each test runs on every instance of ``tests/_estimators.py`` that it applies to:
``ALL_ESTIMATORS`` for what every estimator promises (clone, persistence,
determinism, bad input, pandas, parameter specifications), ``AUTOENCODERS`` for
the fit loop's behaviour (early stopping, warm start, ``partial_fit``,
divergence, layouts, the clean target). A new estimator gets all of it by being
listed there once.
"""

import inspect
import pickle
import re
import subprocess
import sys

import joblib
import keras
import numpy as np
import pytest
import scipy.sparse as sp
from _estimators import ALL_ESTIMATORS, AUTOENCODERS, DETECTORS, SERIES, estimator_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skae
from skae import SequenceAutoencoder, SlidingWindows, TimeSeriesOutlierDetector
from skae._utils._params import parameter_specs

# Estimators of one long series: their rows are time points, not samples.
SERIES_CLASSES = (SlidingWindows, TimeSeriesOutlierDetector)


def case(estimator):
    """One estimator as a test case. Recurrent fits are slow on PyTorch, and the
    series estimators add no backend code of their own, so those cases are
    left out of the JAX / PyTorch smoke runs (tests/test_backends.py), where
    tests/test_sequence.py covers the recurrent model instead."""
    tensorflow_only = isinstance(
        estimator, (SequenceAutoencoder, SlidingWindows, TimeSeriesOutlierDetector)
    )
    marks = [pytest.mark.tensorflow_smoke_only] if tensorflow_only else []
    return pytest.param(estimator, id=estimator_id(estimator), marks=marks)


all_estimators = pytest.mark.parametrize("estimator", [case(e) for e in ALL_ESTIMATORS])
autoencoders = pytest.mark.parametrize("estimator", [case(e) for e in AUTOENCODERS])


def public_estimator_classes():
    """Every estimator class skae exports, except abstract bases."""
    return [
        obj
        for name in skae.__all__
        if isinstance(obj := getattr(skae, name), type)
        and issubclass(obj, BaseEstimator)
        and not name.startswith("Base")
    ]


def query(estimator):
    """The method that answers questions of a fitted estimator about new data."""
    for name in ("score_samples", "kneighbors", "transform"):
        if hasattr(estimator, name):
            return getattr(estimator, name)
    raise AssertionError(f"{type(estimator).__name__} answers no query")


def outputs(estimator, X):
    """What a fitted estimator computes from X, for comparisons."""
    if hasattr(estimator, "kneighbors"):
        return list(estimator.kneighbors(X))
    if not hasattr(estimator, "score_samples"):
        return [estimator.transform(X)]
    if hasattr(estimator, "transform"):
        return [
            estimator.transform(X),
            estimator.predict(X),
            estimator.score_samples(X),
        ]
    return [estimator.score_samples(X), estimator.predict(X)]


def state(estimator) -> dict:
    """The estimator's attributes, comparable across copies (by their repr)."""
    return {name: repr(value) for name, value in vars(estimator).items()}


def assert_same_outputs(a, b, X):
    for left, right in zip(outputs(a, X), outputs(b, X), strict=True):
        assert_array_equal(left, right)


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:160]


class FittedOnDemand(dict):
    """Each estimator of the suite fitted on ``X`` when first asked for, by id.

    On demand, so that a worker or a backend run that gets a few of the tests
    fits only the estimators those tests use.
    """

    def __init__(self, X):
        super().__init__()
        self.X = X
        self.unfitted = {estimator_id(e): e for e in ALL_ESTIMATORS}

    def __missing__(self, key):
        self[key] = clone(self.unfitted[key]).fit(self.X)
        return self[key]


@pytest.fixture(scope="module")
def fitted(X):
    return FittedOnDemand(X)


# ------------------------------------------------------------- the suite itself


def test_every_public_estimator_is_in_the_common_suite():
    listed = {type(e) for e in ALL_ESTIMATORS}
    missing = [c.__name__ for c in public_estimator_classes() if c not in listed]
    assert not missing, f"add an instance of {missing} to tests/_estimators.py"


# ---------------------------------------------------- parameters and their docs


def documented_parameters(cls) -> set[str]:
    """The names in the numpydoc Parameters section of the class docstring."""
    doc = inspect.getdoc(cls)
    section = re.search(r"Parameters\n-+\n(.*?)(?:\n\n[A-Z][a-z ]+\n-+\n)", doc, re.S)
    names = set()
    entry = ""
    for line in section.group(1).splitlines():
        if not line.startswith(" ") and line.strip():
            entry = entry + line if entry.endswith("\\") else line
            if not entry.endswith("\\"):
                head = entry.split(" : ")[0]
                names.update(n.strip() for n in head.replace("\\", "").split(","))
                entry = ""
    return names


@pytest.mark.parametrize("cls", public_estimator_classes(), ids=lambda c: c.__name__)
def test_specifications_cover_exactly_the_parameters(cls):
    assert set(parameter_specs(cls)) == set(cls().get_params(deep=False))


@pytest.mark.parametrize("cls", public_estimator_classes(), ids=lambda c: c.__name__)
def test_every_parameter_is_documented(cls):
    params = set(cls().get_params(deep=False))
    assert params <= documented_parameters(cls), params - documented_parameters(cls)


@all_estimators
def test_every_parameter_refuses_a_nonsense_value(estimator, X):
    nonsense = object()
    for name in estimator.get_params(deep=False):
        broken = clone(estimator).set_params(**{name: nonsense})
        with pytest.raises(ValueError, match=f"^{name} must be"):
            broken.fit(X)
        assert not hasattr(broken, "n_features_in_"), name


# ------------------------------------------------------------------ persistence


@all_estimators
def test_clone_gives_an_unfitted_twin(estimator, fitted):
    twin = clone(fitted[estimator_id(estimator)])
    assert twin.get_params(deep=False).keys() == estimator.get_params(deep=False).keys()
    with pytest.raises(NotFittedError):
        query(twin)(np.zeros((2, 64)))


@pytest.mark.backend_smoke
@all_estimators
def test_pickle_round_trip(estimator, fitted, X):
    original = fitted[estimator_id(estimator)]
    assert_same_outputs(original, pickle.loads(pickle.dumps(original)), X)
    unfitted = pickle.loads(pickle.dumps(estimator))
    assert repr(unfitted) == repr(estimator)


def answer(estimator, X):
    """What the fresh-process round trip compares: neighbours, scores or codes."""
    if hasattr(estimator, "kneighbors"):
        return estimator.kneighbors(X)[1]
    if hasattr(estimator, "score_samples"):
        return estimator.score_samples(X)
    return estimator.transform(X)


@pytest.fixture(scope="module")
def answers_of_a_fresh_process(fitted, X, tmp_path_factory):
    """Every estimator of the suite saved with joblib here and answering ``X``
    in one fresh process: one interpreter start (about 8 s with its backend)
    for all of them instead of one each."""
    folder = tmp_path_factory.mktemp("fresh-process")
    models, data, answers = (folder / n for n in ("models", "X.npy", "answers"))
    joblib.dump({key: fitted[key] for key in fitted.unfitted}, models)
    np.save(data, X)
    script = "\n".join(
        [
            "import joblib, numpy as np",
            inspect.getsource(answer),
            f"X = np.load({str(data)!r})",
            f"models = joblib.load({str(models)!r})",
            "found = {key: answer(model, X) for key, model in models.items()}",
            f"joblib.dump(found, {str(answers)!r})",
        ]
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=600)
    return joblib.load(answers)


@all_estimators
def test_joblib_round_trip_in_a_fresh_process(
    estimator, fitted, X, answers_of_a_fresh_process
):
    key = estimator_id(estimator)
    assert_array_equal(answers_of_a_fresh_process[key], answer(fitted[key], X))


@pytest.mark.backend_smoke
@all_estimators
def test_save_and_load_without_pickle(estimator, fitted, X, tmp_path):
    original = fitted[estimator_id(estimator)]
    original.save(tmp_path / "model.skae")
    loaded = skae.load(tmp_path / "model.skae")
    assert type(loaded) is type(original)
    assert repr(loaded) == repr(original)
    assert_same_outputs(original, loaded, X)
    clone(estimator).save(tmp_path / "unfitted.skae")
    assert repr(skae.load(tmp_path / "unfitted.skae")) == repr(estimator)


# ------------------------------------------------------------------ determinism


@pytest.mark.backend_smoke
@all_estimators
def test_same_random_state_same_results(estimator, fitted, X):
    assert_same_outputs(fitted[estimator_id(estimator)], clone(estimator).fit(X), X)


@autoencoders
def test_another_random_state_other_results(estimator, fitted, X):
    other = clone(estimator).set_params(random_state=1).fit(X)
    assert not np.allclose(
        other.transform(X), fitted[estimator_id(estimator)].transform(X)
    )


# ---------------------------------------------------------------- the fit loop


@autoencoders
def test_early_stopping_restores_the_best_weights(estimator, digits):
    X = digits[0][:400]
    # A large learning rate makes the validation loss noisy, so it stops early.
    est = clone(estimator).set_params(
        epochs=200, n_iter_no_change=3, learning_rate=0.05, batch_size=256
    )
    est.fit(X)
    assert est.n_iter_ < 200 and est.n_iter_ - est.best_epoch_ >= 3
    assert est.best_loss_ == min(est.validation_loss_curve_)
    # Recompute the best epoch's validation loss on the same held-out rows.
    rows = np.random.RandomState(0).permutation(len(X))[: round(0.1 * len(X))]
    held_out = est._validate_input(X[rows])
    restored_loss = est.model_.evaluate(held_out, verbose=0, batch_size=256)
    assert restored_loss == pytest.approx(est.best_loss_, rel=1e-4)
    assert est.best_loss_ < est.validation_loss_curve_[-1]


@autoencoders
def test_warm_start_continues_training(estimator, X):
    est = clone(estimator).set_params(warm_start=True, early_stopping=False)
    est.fit(X)
    encoder, loss_after_first = est.encoder_, est.loss_curve_[-1]
    est.fit(X)
    assert est.encoder_ is encoder and est.n_iter_ == 6
    assert est.loss_curve_[-1] < loss_after_first


@autoencoders
def test_fit_without_warm_start_rebuilds(estimator, fitted, X):
    est = pickle.loads(pickle.dumps(fitted[estimator_id(estimator)]))
    encoder = est.encoder_
    est.fit(X)
    assert est.encoder_ is not encoder and est.n_iter_ == 3


@autoencoders
def test_partial_fit_adds_one_epoch_each_call(estimator, X):
    est = clone(estimator)
    est.partial_fit(X)
    assert est.n_iter_ == 1
    for _ in range(3):
        est.partial_fit(X)
    assert est.n_iter_ == 4 and est.validation_loss_curve_ == []
    assert est.loss_curve_[-1] < est.loss_curve_[0]


@autoencoders
def test_divergence_in_the_first_epoch_raises_and_leaves_it_unfitted(estimator, X):
    est = clone(estimator).set_params(learning_rate=1e30, optimizer="sgd")
    with pytest.raises(FloatingPointError, match="NaN or infinite"):
        est.fit(X * 1e10)
    assert not hasattr(est, "model_")


class ExplodeAfterFirstEpoch(keras.callbacks.Callback):
    """Sets an absurd learning rate once the first epoch has finished."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.model.optimizer.learning_rate.assign(1e30)


@autoencoders
def test_divergence_later_keeps_the_last_finite_weights_and_can_go_on(estimator, X):
    est = clone(estimator).set_params(
        optimizer="adam",
        early_stopping=False,
        epochs=5,
        callbacks=[ExplodeAfterFirstEpoch()],
    )
    with pytest.warns(ConvergenceWarning, match="Kept the weights of epoch 1"):
        est.fit(X)
    assert 2 <= est.n_iter_ < 5 and not np.isfinite(est.loss_curve_[-1])
    assert all(np.all(np.isfinite(w)) for w in est.model_.get_weights())
    assert np.all(np.isfinite(est.transform(X)))
    assert np.all(np.isfinite(est.score_samples(X)))
    # Adam's moments held NaN; the monitor took back the optimizer's state
    # (learning rate included), so training can go on.
    est.set_params(callbacks=None).partial_fit(X)
    assert np.isfinite(est.loss_curve_[-1])


class ExplodeFromTheStart(keras.callbacks.Callback):
    """Sets an absurd learning rate before the first batch."""

    def on_train_begin(self, logs=None):
        self.model.optimizer.learning_rate.assign(1e30)


@autoencoders
def test_a_failed_warm_start_leaves_history_and_weights_as_they_were(estimator, X):
    est = clone(estimator).set_params(warm_start=True, early_stopping=False)
    est.fit(X)
    history = {key: list(values) for key, values in est.history_.items()}
    codes = est.transform(X)
    est.set_params(callbacks=[ExplodeFromTheStart()])
    with pytest.raises(FloatingPointError, match="No epoch finished"):
        est.fit(X)
    assert est.history_ == history and est.n_iter_ == len(history["loss"])
    assert_array_equal(est.transform(X), codes)


# ----------------------------------------------------------------- bad input

BAD_INPUTS = [
    (np.full((5, 64), np.nan), ValueError, "NaN"),
    (np.full((5, 64), np.inf), ValueError, "infinity"),
    (np.empty((0, 64)), ValueError, "0 sample"),
    (np.ones((1, 64)), ValueError, "1 sample"),
    (np.array([["a", "b"], ["c", "d"]]), ValueError, "could not convert"),
    (sp.csr_matrix(np.ones((5, 64))), TypeError, "dense data is required"),
    (np.ones(5), ValueError, "2D array"),
]
BAD_IDS = ["nan", "inf", "empty", "one-sample", "strings", "sparse", "1d"]


@all_estimators
@pytest.mark.parametrize("bad, error, match", BAD_INPUTS, ids=BAD_IDS)
def test_bad_training_data_is_refused_before_anything_changes(
    estimator, bad, error, match
):
    est = clone(estimator)
    if bad.ndim == 1 and any(type(estimator) is type(s) for s in SERIES):
        est.fit(np.sin(np.arange(40.0)))  # a 1-D array is a univariate series
        assert est.n_features_in_ == 1
        return
    with pytest.raises(error, match=match):
        est.fit(bad)
    assert state(est) == state(clone(estimator))


@all_estimators
def test_bad_data_after_fit(estimator, fitted, X):
    est = fitted[estimator_id(estimator)]
    before = outputs(est, X)
    with pytest.raises(ValueError, match="64 features"):
        query(est)(X[:, :10])
    with pytest.raises(ValueError, match="NaN"):
        query(est)(np.full_like(X, np.nan))
    # A failed refit leaves the fitted estimator as it was.
    refitted = pickle.loads(pickle.dumps(est))
    with pytest.raises(ValueError, match="NaN"):
        refitted.fit(np.full_like(X, np.nan))
    for left, right in zip(before, outputs(refitted, X), strict=True):
        assert_array_equal(left, right)


@all_estimators
def test_use_before_fit(estimator, X):
    methods = ("predict", "score_samples", "transform", "kneighbors")
    for method in [m for m in methods if hasattr(estimator, m)]:
        with pytest.raises(NotFittedError):
            getattr(clone(estimator), method)(X)


# ---------------------------------------------------------------------- pandas


@all_estimators
def test_pandas_in_and_out(estimator, X):
    pd = pytest.importorskip("pandas")
    columns = [f"pixel{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    est = clone(estimator).fit(frame)
    assert_array_equal(est.feature_names_in_, columns)
    with pytest.raises(ValueError, match="feature names"):
        query(est)(frame.rename(columns={"pixel0": "other"}))
    if hasattr(est, "set_output"):
        est.set_output(transform="pandas")
        codes = est.transform(frame)
        assert isinstance(codes, pd.DataFrame) and codes.index.equals(frame.index)
        assert list(codes.columns) == list(est.get_feature_names_out())


# -------------------------------------------------- properties over many inputs


@autoencoders
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shape=st.tuples(st.integers(3, 12), st.integers(1, 5)),
    dtype=st.sampled_from([np.float32, np.float64, np.int64]),
)
def test_any_finite_table_fits_and_round_trips(estimator, shape, dtype):
    X = np.random.RandomState(0).uniform(0, 3, size=shape).astype(dtype)
    est = clone(estimator).set_params(epochs=1, n_components=1).fit(X)
    codes = est.transform(X)
    assert codes.shape == (shape[0], 1) and codes.dtype == np.float32
    assert est.predict(X).shape == shape
    assert est.inverse_transform(codes).shape == shape
    assert np.all(np.isfinite(est.score_samples(X)))


@all_estimators
@settings(max_examples=25, deadline=None)
@given(
    data=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=8),
        elements=st.floats(-5, 5),
    ),
    where=st.tuples(st.floats(0, 0.999), st.floats(0, 0.999)),
    value=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_any_non_finite_value_anywhere_is_refused(estimator, data, where, value):
    data = data.copy()
    data[int(where[0] * data.shape[0]), int(where[1] * data.shape[1])] = value
    est = clone(estimator)
    with pytest.raises(ValueError, match="NaN|infinity"):
        est.fit(data)
    assert state(est) == state(clone(estimator))


# ---------------------------------------------------- layouts and clean targets


@pytest.mark.backend_smoke
@autoencoders
def test_images_round_trip_in_their_layout(estimator, X):
    images = X.reshape(-1, 8, 8)
    est = clone(estimator).fit(images)
    assert est.input_shape_ == (8, 8) and est.n_features_in_ == 64
    codes = est.transform(images)
    assert codes.shape == (len(X), 3)
    assert est.predict(images).shape == images.shape
    assert est.inverse_transform(codes).shape == images.shape
    assert est.reconstruction_error(images, per_feature=True).shape == images.shape
    # The flat form of the same samples is accepted and gives the same codes.
    assert_array_equal(est.transform(X), codes)
    with pytest.raises(ValueError, match=r"samples of shape \(4, 16\)"):
        est.transform(X.reshape(-1, 4, 16))


@pytest.mark.backend_smoke
@autoencoders
def test_a_clean_target_is_learned(estimator, digits):
    X_clean = digits[0][:300]
    noise = np.random.RandomState(1).normal(0, 0.3, X_clean.shape)
    noisy = np.clip(X_clean + noise, 0, 1)
    est = clone(estimator).set_params(n_components=16, epochs=25, noise=None)
    towards_clean = clone(est).fit(noisy, X_clean).predict(noisy)
    towards_noisy = clone(est).fit(noisy).predict(noisy)

    def error(X):
        return np.mean((X - X_clean) ** 2)

    # Closer to the clean data than the same model trained on the noisy data;
    # how much closer depends on the architecture (see its own tests).
    assert error(towards_clean) < error(towards_noisy)


@autoencoders
def test_score_against_a_clean_target(estimator, fitted, digits, X):
    est = fitted[estimator_id(estimator)]
    noisy = np.clip(X + np.random.RandomState(2).normal(0, 0.2, X.shape), 0, 1)
    expected = -np.mean((est.predict(noisy) - X) ** 2)  # their loss is mse
    assert est.score(noisy, X) == pytest.approx(expected, rel=1e-5)
    assert est.score(noisy, digits[1][: len(X)]) == est.score(noisy)
    assert est.score(noisy, X) != est.score(noisy)


@autoencoders
def test_labels_as_y_are_ignored(estimator, fitted, digits, X):
    labels = digits[1][: len(X)]
    assert_same_outputs(
        clone(estimator).fit(X, labels), fitted[estimator_id(estimator)], X
    )
    other_shape = np.ones((len(X), 3))
    assert_same_outputs(
        clone(estimator).fit(X, other_shape), fitted[estimator_id(estimator)], X
    )


def row_values(estimator, X):
    """The real-valued outputs of each row (no labels, which a rounding can flip)."""
    if hasattr(estimator, "kneighbors"):
        return [estimator.kneighbors(X)[0]]
    values = [estimator.score_samples(X)] if hasattr(estimator, "score_samples") else []
    if hasattr(estimator, "transform"):
        codes = estimator.transform(X)
        values.append(codes)
        if hasattr(estimator, "inverse_transform"):
            values.append(estimator.inverse_transform(codes))
    return values


@pytest.mark.parametrize(
    "estimator",
    [case(e) for e in ALL_ESTIMATORS if not isinstance(e, SERIES_CLASSES)],
)
def test_a_row_gives_the_same_outputs_in_any_batch(estimator, fitted, X):
    """Rows alone, reversed or together: the same values to float32 rounding
    (the bits may differ on CPUs whose kernels sum in a batch-dependent order;
    scikit-learn's own checks compare at float64 tolerance)."""
    est = fitted[estimator_id(estimator)]
    rows = X[:40]
    together = row_values(est, rows)
    reversed_ = row_values(est, rows[::-1])
    alone = [row_values(est, rows[i : i + 1]) for i in (0, 17, 39)]
    for k, values in enumerate(together):
        assert_allclose(reversed_[k][::-1], values, rtol=1e-4, atol=1e-5)
        for i, outputs_alone in zip((0, 17, 39), alone, strict=True):
            assert_allclose(outputs_alone[k][0], values[i], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("detector", DETECTORS, ids=estimator_id)
def test_detectors_flag_what_they_should(detector, X):
    est = clone(detector).fit(X)
    assert set(np.unique(est.predict(X))) <= {-1, 1}
    assert_allclose(est.decision_function(X), est.score_samples(X) - est.offset_)
