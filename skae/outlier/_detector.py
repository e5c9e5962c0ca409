"""ReconstructionOutlierDetector: anomaly detection by reconstruction error."""

from __future__ import annotations

import os

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted

from .. import _persistence
from .._utils._data import validate_samples
from .._utils._nearest import nearest_distances
from .._utils._params import (
    Constant,
    Interval,
    Options,
    RandomState,
    Satisfies,
    check_params,
    check_value,
)
from .._utils._seeding import draw_seed, seeded_clone
from .._utils._sources import block_rows
from .._utils._state import restored_on_failure
from ..autoencoder import BaseAutoencoder, DenoisingAutoencoder
from ._code_distance import code_distance, fit_code_distribution
from ._histograms import FeatureHistograms
from ._tail_statistic import TailStatistic
from ._thresholds import (
    check_labels,
    contamination_threshold,
    f1_threshold,
    fpr_threshold,
    mad_threshold,
)

_SCALERS = {
    "standard": StandardScaler,
    "robust": RobustScaler,
    "minmax": MinMaxScaler,
}
_ERRORS = ("auto", "combined", "reconstruction", "score_samples")
_RULES = ("auto", "contamination", "mad")

# Scaled inputs are clipped to this magnitude so that float32 networks can take
# them; no real data set comes near it after scaling.
INPUT_LIMIT = 1e30
# Values scored at a time (at most 2**16 rows): a prediction holds several
# copies of its input. 2**22 values: 65 536 rows of 64 features.
SCORING_BLOCK_VALUES = 2**22
# Errors are kept in [-ERROR_LIMIT, ERROR_LIMIT]; NaN counts as the largest error.
ERROR_LIMIT = 1e300
# The combined error divides reconstruction errors by their training mean, at
# least (RECONSTRUCTION_RESOLUTION * RMS of the scaled data)**2: below that a
# float32 network's reconstruction is lossless and its error only rounding.
RECONSTRUCTION_RESOLUTION = 1e-3
# The code-neighbour part's k for convolutional models (code_neighbors="auto").
CODE_NEIGHBORS = 5


def _is_finite_number(value) -> bool:
    return Interval().accepts(value) and bool(np.isfinite(value))


@_persistence.register
class ReconstructionOutlierDetector(OutlierMixin, BaseEstimator):
    """Outlier detector that flags samples an estimator reconstructs badly.

    The detector scales the data, fits an inner estimator on it (an autoencoder
    by default, PCA or anything else with ``score_samples`` or
    ``transform``/``inverse_transform``), and scores a sample by its error: by
    default its reconstruction error combined with the distance of its code
    from the training codes (the model error), and with how rare each of its
    feature values is on its own. The larger the error, the more anomalous.
    A threshold on the error separates inliers (``+1``) from outliers (``-1``).
    It follows scikit-learn's outlier-detector conventions
    (:class:`~sklearn.ensemble.IsolationForest`): ``score_samples`` is higher for
    normal samples, ``decision_function = score_samples - offset_`` is negative
    for outliers, ``offset_ = -threshold_``.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The inner model, cloned in ``fit``. ``None`` builds a
        :class:`~skae.DenoisingAutoencoder` with masking noise (30 % of the
        inputs set to 0 in training) sized from the number of features ``d``
        seen in ``fit``: one hidden layer of ``clip(2 * d, 8, 128)`` units and a
        code of ``clip(d, 2, 64)`` units (see ``docs/outliers.md`` for why).
    scaler : {"auto", "standard", "robust", "minmax"}, transformer or None, \
            default="auto"
        Applied to the data before the inner estimator, fitted on the training
        data. Without it the largest-scale column of a table dominates the
        error. ``None`` feeds the data unchanged. ``"auto"``: None when the
        inner estimator is convolutional (a :class:`~skae.ConvAutoencoder`, a
        conv :class:`~skae.VariationalAutoencoder`): pixels share one scale,
        and standardising a pixel that is nearly always dark in the training
        images makes any stray stroke there dominate the error; otherwise
        ``"standard"`` (pass None yourself for images with other models).
    contamination : "auto" or float in (0, 0.5], default="auto"
        The expected fraction of outliers in the training data. A float sets the
        threshold so that this fraction of the training samples is flagged.
    threshold : {"auto", "contamination", "mad"} or float, default="auto"
        How ``threshold_`` (on the error scale) is chosen in ``fit``:

        - ``"contamination"``: the ``1 - contamination`` quantile of the training
          errors (needs a float ``contamination``);
        - ``"mad"``: ``median + mad_k * 1.4826 * MAD`` of the logarithm of the
          training errors (of the errors themselves with ``marginal_bins``
          set: they are already ``-log`` of tail probabilities), a robust rule
          that needs no guess of the contamination;
        - a float: this error value;
        - ``"auto"``: ``"contamination"`` when ``contamination`` is a float,
          otherwise ``"mad"``.

        :meth:`set_threshold` replaces it later from validation data.
    mad_k : float, default=3.0
        How many robust standard deviations above the median the ``"mad"`` rule
        puts the threshold.
    error : {"auto", "combined", "reconstruction", "score_samples"}, \
            default="auto"
        What the error of a sample is:

        - ``"reconstruction"``: the reconstruction error in scaled units (a skae
          autoencoder's per-sample loss; for PCA, pipelines and other
          transformers the mean squared error of
          ``inverse_transform(transform(X))``);
        - ``"combined"``: the reconstruction error divided by its mean over the
          training data, plus the squared Mahalanobis distance of the code from
          the training codes divided by the code size (Hotelling's T², as in the
          combined SPE + T² index of process monitoring). Both terms average
          about 1 on the training data. A sample can be abnormal off the
          learned manifold (large reconstruction error) or on it but far from
          the data (large code distance); this catches both;
        - ``"score_samples"``: minus the inner estimator's ``score_samples``
          (a density's log-likelihood, a VAE's ELBO);
        - ``"auto"``: ``"combined"`` for estimators with ``transform`` and a
          way to reconstruct (skae autoencoders, PCA), ``"score_samples"``
          otherwise and for a :class:`~skae.VariationalAutoencoder`, whose
          score is a likelihood bound.

        This is the model error; ``marginal_bins`` adds a second part.
    marginal_bins : "auto", int >= 2 or None, default="auto"
        Also score the marginal rarity of a sample: a histogram with this many
        equal-width bins is fitted to every scaled training feature, and the
        rarity is ``sum_j -log p_j(x_j)`` (HBOS; a value outside the training
        range gets the probability of an empty bin). The model error catches
        values that do not fit the other features; the rarity catches values
        that are rare whatever the other features say. Each part becomes its
        tail statistic on the training data, ``-log(1 - F(s))`` with ``F`` the
        training distribution (extended linearly above the training maximum),
        and the error is their sum: Fisher's combination of the two tail
        probabilities. Both parts are ranked against the training data, so the
        ``"mad"`` rule then flags a nearly fixed few percent of the training
        data (3 to 8 %), whatever its contamination. The histograms hold
        ``n_features * marginal_bins`` floats. ``None``: the error is the model
        error alone. ``"auto"``: None for a convolutional inner estimator (as
        for ``scaler="auto"``), 20 otherwise: a pixel's rarity on its own says
        little about an image, and on held-out training images of MNIST and
        Fashion-MNIST it made the error worse.
    code_neighbors : "auto", int >= 1 or None, default="auto"
        Also score how far a sample's code lies from the training codes: the
        mean Euclidean distance to its ``code_neighbors`` nearest codes among
        the rows the inner estimator was fitted on (a training row skips
        itself). Hotelling's T² in the combined error measures the distance
        from the centre of one Gaussian; this part follows the shape of the
        codes (several clusters, curved manifolds). It becomes a tail
        statistic added to the others. Needs an inner estimator with
        ``transform``; the reference codes are kept (at most ``max_samples``
        codes, float32). ``"auto"``: 5 for a convolutional inner estimator
        scored by the combined error, None otherwise (see
        ``docs/outliers.md``: chosen on held-out training images; on tables a
        k-NN part did not win the selection).
    max_samples : int >= 2 or None, default=20_000
        The inner estimator is fitted on at most this many training rows,
        drawn at random without replacement; the scaler, the code statistics,
        the histograms, the tail statistics and the threshold use every row.
        This bounds the time of a fit on large tables (about 20 s on 2 CPU
        cores for 370 000 rows) at little cost in quality: a model of normal
        behaviour learns little more from the rows beyond the first tens of
        thousands. ``None`` fits on every row.
    random_state : int, RandomState instance or None, default=None
        Seeds the default inner estimator, any inner estimator whose own
        ``random_state`` is None, and the draw of ``max_samples`` rows (which
        the inner estimator's own seed makes repeatable when this is None).

    Attributes
    ----------
    estimator_ : estimator
        The fitted inner estimator.
    scaler_ : transformer or None
        The fitted scaler.
    threshold_ : float
        Samples whose error exceeds it are outliers.
    offset_ : float
        ``-threshold_``, so that ``decision_function = score_samples - offset_``.
    threshold_rule_ : str
        How ``threshold_`` was set: ``"contamination"``, ``"mad"``, ``"value"``,
        ``"validation-fpr"`` or ``"validation-f1"``.
    error_ : str
        The error used: ``"combined"``, ``"reconstruction"`` or
        ``"score_samples"``.
    reconstruction_scale_ : float
        With ``error_ == "combined"``: the mean training reconstruction error,
        at least ``(1e-3 * RMS of the scaled training data) ** 2`` (a lossless
        reconstruction's error is only float32 rounding).
    code_mean_, code_precision_ : ndarray
        With ``error_ == "combined"``: the mean and inverse covariance of the
        training codes.
    histograms_ : FeatureHistograms or None
        The per-feature histograms of the scaled training data
        (``marginal_bins`` set), else None.
    code_neighbors_ : int or None
        The ``k`` of the code-neighbour part (at most the number of reference
        codes less one), None without it.
    reference_codes_ : ndarray of float32 or None
        The codes the code-neighbour part measures distances to.
    model_error_tail_, rarity_tail_, code_neighbor_tail_ : TailStatistic or None
        With ``marginal_bins`` set: the training distributions of the model
        error and of the rarity, which put both on one scale; else None.
    input_shape_ : tuple of int
        The shape of one sample as given to ``fit``: ``(n_features,)`` for
        tables, ``(h, w[, c])`` for images, which skae autoencoders inside
        receive in that layout.
    n_features_in_ : int
        Number of values in one sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit``, when X had string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : A detector that does not reconstruct.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import DenseAutoencoder
    >>> from skae import ReconstructionOutlierDetector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 8))
    >>> detector = ReconstructionOutlierDetector(
    ...     DenseAutoencoder(4, epochs=5, random_state=0), contamination=0.1
    ... ).fit(X)
    >>> int((detector.predict(X) == -1).sum())
    30
    """

    _parameter_specs = {
        "estimator": (
            Constant(None),
            Satisfies(lambda e: hasattr(e, "fit"), "an estimator with fit"),
        ),
        "scaler": (
            Constant(None),
            Options(("auto", *_SCALERS)),
            Satisfies(
                lambda s: hasattr(s, "fit") and hasattr(s, "transform"),
                "a transformer with fit and transform",
            ),
        ),
        "contamination": (Constant("auto"), Interval(0, 0.5, closed="right")),
        "threshold": (
            Options(_RULES),
            Satisfies(_is_finite_number, "a finite number"),
        ),
        "mad_k": Interval(0, closed="neither"),
        "error": Options(_ERRORS),
        "marginal_bins": (Constant(None), Constant("auto"), Interval(2, integer=True)),
        "code_neighbors": (Constant(None), Constant("auto"), Interval(1, integer=True)),
        "max_samples": (Constant(None), Interval(2, integer=True)),
        "random_state": RandomState(),
    }

    def __init__(
        self,
        estimator=None,
        *,
        scaler="auto",
        contamination="auto",
        threshold="auto",
        mad_k: float = 3.0,
        error: str = "auto",
        marginal_bins="auto",
        code_neighbors="auto",
        max_samples: int | None = 20_000,
        random_state=None,
    ):
        self.estimator = estimator
        self.scaler = scaler
        self.contamination = contamination
        self.threshold = threshold
        self.mad_k = mad_k
        self.error = error
        self.marginal_bins = marginal_bins
        self.code_neighbors = code_neighbors
        self.max_samples = max_samples
        self.random_state = random_state

    # ------------------------------------------------------------ checking

    def _threshold_rule(self) -> str:
        """Return the rule that sets the threshold (parameters already checked)."""
        rule = self.threshold if isinstance(self.threshold, str) else "value"
        if rule == "auto":
            return "mad" if self.contamination == "auto" else "contamination"
        if rule == "contamination" and self.contamination == "auto":
            raise ValueError(
                "threshold='contamination' needs a float contamination, e.g. "
                "contamination=0.05; or use threshold='mad', which needs none."
            )
        if rule != "contamination" and self.contamination != "auto":
            raise ValueError(
                f"contamination={self.contamination!r} and "
                f"threshold={self.threshold!r} both set the threshold; set one "
                "of them (contamination='auto' or threshold='auto')."
            )
        return rule

    def _make_scaler(self, estimator):
        scaler = self.scaler
        if scaler == "auto":
            scaler = None if self._takes_images(estimator) else "standard"
        if scaler is None:
            return None
        if isinstance(scaler, str):
            return _SCALERS[scaler]()
        return clone(scaler)

    @staticmethod
    def _takes_images(estimator) -> bool:
        """Whether the inner model is convolutional over images.

        The layout alone does not tell: windows of a series come as
        ``(window, features)`` arrays too.
        """
        return bool(getattr(estimator, "_takes_images", False))

    def _make_estimator(self, n_features: int):
        if self.estimator is None:
            return default_autoencoder(n_features, self.random_state)
        return seeded_clone(self.estimator, self.random_state)

    def _error_kind(self, estimator) -> str:
        can_reconstruct = hasattr(estimator, "transform") and (
            hasattr(estimator, "inverse_transform")
            or hasattr(estimator, "reconstruction_error")
        )
        kind = self.error
        if kind == "auto":
            likelihood = getattr(estimator, "_score_is_likelihood", False)
            kind = "combined" if can_reconstruct and not likelihood else "score_samples"
        if kind in ("combined", "reconstruction") and not can_reconstruct:
            raise ValueError(
                f"error={kind!r} needs an estimator with transform and "
                f"inverse_transform; {type(estimator).__name__} lacks them."
            )
        if kind == "score_samples" and not hasattr(estimator, "score_samples"):
            raise ValueError(
                f"{type(estimator).__name__} has no score_samples (nor "
                "transform/inverse_transform); the detector cannot score with it."
            )
        return kind

    # -------------------------------------------------------------- fitting

    def fit(self, X, y=None):
        """Fit the scaler and the inner estimator on ``X``; set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, mostly normal samples. It needs no labels.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted detector.
        """
        # A failed fit leaves the detector as it was before the call.
        with restored_on_failure(self):
            return self._fit(X)

    def _fit(self, X):
        check_params(self)
        rule = self._threshold_rule()
        X = validate_samples(
            self, X, reset=True, ensure_min_samples=2, dtype=np.float64
        )
        X = X.reshape(len(X), -1)
        estimator = self._make_estimator(X.shape[1])
        kind = self._error_kind(estimator)
        scaler = self._make_scaler(estimator)
        X = _clip_inputs(X, scaler.fit_transform(X) if scaler is not None else X)
        bins = self._marginal_bin_count(estimator)
        neighbors = self._code_neighbor_count(estimator, kind)
        fitted_rows = self._training_indices(len(X))
        inner_rows = X if fitted_rows is None else X[fitted_rows]
        estimator.fit(self._inner_layout(inner_rows, estimator))
        self.scaler_, self.estimator_, self.error_ = scaler, estimator, kind
        codes = None
        if kind == "combined" or neighbors is not None:
            codes = in_blocks(self._codes_of_scaled, X)
        if kind == "combined":
            reconstruction = in_blocks(self._reconstruction_errors_of_scaled, X)
            self.reconstruction_scale_ = reconstruction_scale(reconstruction, X)
            self.code_mean_, self.code_precision_ = fit_code_distribution(codes)
            model_errors = self._combined(reconstruction, codes)
        else:
            model_errors = in_blocks(self._model_errors_of_scaled, X)
        errors = self._fit_second_parts(
            X, model_errors, codes, bins, neighbors, fitted_rows
        )
        if rule == "contamination":
            threshold = contamination_threshold(errors, self.contamination)
        elif rule == "mad":
            threshold = mad_threshold(errors, self.mad_k, sums_tail_statistics(self))
        else:
            threshold = float(self.threshold)
        self._set(threshold, rule)
        return self

    def _training_indices(self, n_rows: int) -> np.ndarray | None:
        """The rows the inner estimator is fitted on, at most ``max_samples``;
        None for all of them."""
        if self.max_samples is None or n_rows <= self.max_samples:
            return None
        seed = self.random_state
        if seed is None:  # a seeded inner estimator keeps the draw repeatable
            seed = getattr(self.estimator, "random_state", None)
        return draw_rows(seed, n_rows, self.max_samples)

    def _marginal_bin_count(self, estimator) -> int | None:
        """The histograms' number of bins, or None without the rarity part."""
        if self.marginal_bins == "auto":
            return None if self._takes_images(estimator) else 20
        return self.marginal_bins

    def _code_neighbor_count(self, estimator, kind: str) -> int | None:
        """The ``k`` of the code-neighbour part, or None without it."""
        k = self.code_neighbors
        if k == "auto":
            return (
                CODE_NEIGHBORS
                if kind == "combined" and (self._takes_images(estimator))
                else None
            )
        if k is not None and not hasattr(estimator, "transform"):
            raise ValueError(
                f"code_neighbors={k!r} needs an estimator with transform (codes); "
                f"{type(estimator).__name__} has none."
            )
        return k

    def __setstate__(self, state):
        # Detectors saved before max_samples or code_neighbors existed fitted
        # on every row, without the code-neighbour part.
        super().__setstate__({"max_samples": None, "code_neighbors": None, **state})

    def _fit_second_parts(self, X, model_errors, codes, bins, neighbors, fitted_rows):
        """Fit the histograms (``bins``), the reference codes (``neighbors``)
        and the tail statistics of every part; return the training errors."""
        self.histograms_ = self.model_error_tail_ = self.rarity_tail_ = None
        self.reference_codes_ = self.code_neighbor_tail_ = None
        self.code_neighbors_ = neighbors
        if bins is None and neighbors is None:
            return model_errors
        distances = rarity = None
        self.model_error_tail_ = TailStatistic().fit(model_errors)
        if bins is not None:
            self.histograms_ = FeatureHistograms(bins).fit(X)
            rarity = in_blocks(self._rarity, X)
            self.rarity_tail_ = TailStatistic().fit(rarity)
        if neighbors is not None:
            reference = codes if fitted_rows is None else codes[fitted_rows]
            # Each training row skips itself: at most the others count.
            neighbors = self.code_neighbors_ = min(neighbors, len(reference) - 1)
            self.reference_codes_ = np.asarray(reference, dtype=np.float32)
            rows = np.arange(len(X))
            distances = nearest_distances(
                codes,
                self.reference_codes_,
                query_starts=rows,
                reference_starts=rows if fitted_rows is None else fitted_rows,
                exclusion=1,  # a training row in the reference skips itself
                k=neighbors,
            )
            self.code_neighbor_tail_ = TailStatistic().fit(distances)
        return self._sum_of_tails(X, model_errors, codes, distances, rarity)

    def _rarity(self, X: np.ndarray) -> np.ndarray:
        return self.histograms_.rarity(X).sum(axis=1)

    def _sum_of_tails(self, X, model_errors, codes, distances=None, rarity=None):
        """The error of scaled samples ``X`` whose model errors (and codes) are
        given: the model error alone, or the sum of the tail statistics of
        every part (Fisher's combination of their tail probabilities).
        ``distances`` and ``rarity``: the code-neighbour distances and the
        rarities when already known (the training rows', whose distances skip
        themselves and whose rarities were computed in blocks for the fit)."""
        if not sums_tail_statistics(self):
            return model_errors
        total = self.model_error_tail_.transform(model_errors)
        if self.rarity_tail_ is not None:
            if rarity is None:
                rarity = self._rarity(X)
            total += self.rarity_tail_.transform(rarity)
        if getattr(self, "code_neighbor_tail_", None) is not None:
            if distances is None:
                distances = nearest_distances(
                    codes, self.reference_codes_, k=self.code_neighbors_
                )
            total += self.code_neighbor_tail_.transform(distances)
        return finite_errors(total)

    def _set(self, threshold: float, rule: str) -> None:
        self.threshold_ = float(threshold)
        self.offset_ = -self.threshold_
        self.threshold_rule_ = rule

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "threshold_")

    # ------------------------------------------------------------- scoring

    def _inner_layout(self, X: np.ndarray, estimator=None) -> np.ndarray:
        """Scaled 2-D rows in the layout the inner estimator takes.

        skae autoencoders get the samples' layout as fitted (images stay
        images); other estimators (PCA, pipelines) get flat rows.
        """
        estimator = self.estimator_ if estimator is None else estimator
        if isinstance(estimator, BaseAutoencoder):
            return X.reshape((len(X), *self.input_shape_))
        return X

    def _to_fitted_layout(self, values: np.ndarray) -> np.ndarray:
        return values.reshape((len(values), *self.input_shape_))

    def _scaled(self, X) -> np.ndarray:
        """Validate ``X`` (the layout fitted, or flat); return it scaled, 2-D."""
        check_is_fitted(self)
        X = validate_samples(self, X, reset=False, dtype=np.float64)
        X = X.reshape(len(X), -1)
        scaled = self.scaler_.transform(X) if self.scaler_ is not None else X
        return _clip_inputs(X, scaled)

    def _errors_of_scaled(self, X: np.ndarray) -> np.ndarray:
        return in_blocks(self._errors_of_block, X)

    def _errors_of_block(self, X: np.ndarray) -> np.ndarray:
        codes = None
        if self.error_ == "combined" or getattr(self, "code_neighbors_", None):
            codes = self._codes_of_scaled(X)
        return self._sum_of_tails(X, self._model_errors_of_scaled(X, codes), codes)

    def _codes_of_scaled(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.estimator_.transform(self._inner_layout(X)))

    def _model_errors_of_scaled(self, X: np.ndarray, codes=None) -> np.ndarray:
        if self.error_ == "score_samples":
            errors = self.estimator_.score_samples(self._inner_layout(X))
            errors = -np.asarray(errors, dtype=np.float64)
        elif self.error_ == "reconstruction":
            errors = self._reconstruction_errors_of_scaled(X)
        else:
            if codes is None:
                codes = self._codes_of_scaled(X)
            return self._combined(self._reconstruction_errors_of_scaled(X), codes)
        return finite_errors(errors.reshape(-1))

    def _combined(self, reconstruction: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Reconstruction error over its training mean plus the code distance."""
        distance = code_distance(codes, self.code_mean_, self.code_precision_)
        return finite_errors(reconstruction / self.reconstruction_scale_ + distance)

    def _reconstruction_errors_of_scaled(self, X: np.ndarray) -> np.ndarray:
        if hasattr(self.estimator_, "reconstruction_error"):
            errors = self.estimator_.reconstruction_error(self._inner_layout(X))
            return finite_errors(np.asarray(errors, dtype=np.float64))
        return self._feature_errors_of_scaled(X).mean(axis=1)

    def _feature_errors_of_scaled(self, X: np.ndarray) -> np.ndarray:
        estimator = self.estimator_
        if hasattr(estimator, "reconstruction_error"):
            errors = estimator.reconstruction_error(
                self._inner_layout(X), per_feature=True
            )
            errors = np.reshape(errors, X.shape)
        elif hasattr(estimator, "transform") and hasattr(
            estimator, "inverse_transform"
        ):
            round_trip = estimator.inverse_transform(estimator.transform(X))
            round_trip = np.asarray(round_trip, dtype=np.float64).reshape(X.shape)
            errors = np.square(X - round_trip)
        else:
            raise AttributeError(
                f"{type(estimator).__name__} gives no per-feature errors: it has "
                "neither reconstruction_error nor transform/inverse_transform."
            )
        return finite_errors(np.asarray(errors, dtype=np.float64))

    def anomaly_score(self, X) -> np.ndarray:
        """Return the error of each sample: the higher, the more anomalous.

        The value the threshold applies to, ``-score_samples(X)``: the model
        error, combined with the marginal rarity when ``marginal_bins`` is set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
            Always finite.
        """
        return self._errors_of_scaled(self._scaled(X))

    def reconstruction_error(self, X, per_feature: bool = False) -> np.ndarray:
        """Return the inner model's reconstruction loss of each sample or feature.

        The reconstruction part of the model error, in scaled units: the inner
        autoencoder's per-sample loss, or for other transformers the squared
        error of ``inverse_transform(transform(X))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.
        per_feature : bool, default=False
            If True, return the error of every feature, to see which features
            made a sample anomalous. Their mean over features is the per-sample
            value.

        Returns
        -------
        ndarray of float64, shape ``(n_samples,)`` or ``(n_samples, *input_shape_)``
            Per feature in the layout fitted: ``(n_samples, n_features_in_)``
            for tables, one value per pixel for images.
        """
        X = self._scaled(X)
        if per_feature:
            return self._to_fitted_layout(self._feature_errors_of_scaled(X))
        return self._reconstruction_errors_of_scaled(X)

    def feature_rarity(self, X) -> np.ndarray:
        """Return how rare each feature value is on its own, ``-log p_j(x_j)``.

        The terms of the marginal part of the error: large where a value falls
        in a bin that held few training samples, or outside the training range.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        ndarray of float64, shape ``(n_samples, *input_shape_)``
        """
        X = self._scaled(X)
        if not has_marginal_part(self):
            raise AttributeError(
                "feature_rarity needs the marginal part of the error; this "
                "detector was fitted without it (marginal_bins=None, or 'auto' "
                "with a convolutional model)."
            )
        return self._to_fitted_layout(self.histograms_.rarity(X))

    def score_samples(self, X) -> np.ndarray:
        """Return minus the error of each sample: the lower, the more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
            Always finite: non-finite inner scores are mapped to
            ``[-1e300, 1e300]``, NaN to the largest model error.
        """
        return -self.anomaly_score(X)

    def decision_function(self, X) -> np.ndarray:
        """Return ``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
            ``threshold_`` minus the error of each sample.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """Return -1 for outliers (error above ``threshold_``) and +1 for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        ndarray of int, shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    # ------------------------------------------------------------ threshold

    def set_threshold(self, X, y=None, *, max_fpr: float | None = None):
        """Set ``threshold_`` from validation data, after fitting.

        Training errors are optimistic (the model has seen those samples), so a
        threshold taken on separate data generalises better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Validation data, not used in ``fit``.
        y : array-like of shape (n_samples,) or None, default=None
            ``None``: ``X`` is clean (normal samples only); the threshold is set
            so that a fraction ``max_fpr`` of ``X`` is flagged (default 0.01).
            Labels: ``{-1, +1}`` as :meth:`predict` gives them (-1 = outlier), or
            ``{0, 1}`` / booleans with 1 = outlier (the ODDS / PyOD convention);
            both classes must be present. Without ``max_fpr`` the threshold
            maximises the F1 score of the outlier class on ``X``; with it, it is
            the lowest threshold that flags at most ``max_fpr`` of the inliers.
        max_fpr : float in [0, 1) or None, default=None
            The largest false-positive rate accepted on normal samples.

        Returns
        -------
        self : object
            The detector, with ``threshold_``, ``offset_`` and
            ``threshold_rule_`` replaced. Calling ``fit`` again resets them.
        """
        check_is_fitted(self)
        if max_fpr is not None:
            check_value(max_fpr, "max_fpr", Interval(0, 1, closed="left"))
        errors = self.anomaly_score(X)
        if y is None:
            self._set(
                fpr_threshold(errors, 0.01 if max_fpr is None else max_fpr),
                "validation-fpr",
            )
            return self
        is_outlier = check_labels(y, len(errors))
        if max_fpr is not None:
            self._set(fpr_threshold(errors[~is_outlier], max_fpr), "validation-fpr")
        else:
            self._set(f1_threshold(errors, is_outlier), "validation-f1")
        return self

    def save(self, path: str | os.PathLike) -> None:
        """Save the detector to a file that :func:`skae.load` reads without pickle.

        The inner estimator and the scaler are saved with it: any skae or
        scikit-learn estimator (a Pipeline of them included).

        Parameters
        ----------
        path : str or path-like
            Where to write the archive (a zip file; ``.skae`` is a good suffix).
        """
        _persistence.save(self, path)


def default_autoencoder(n_features: int, random_state=None):
    """Return the detector's default inner autoencoder for ``n_features`` inputs.

    A denoising autoencoder with masking noise: 30 % of the inputs are set to 0
    (the mean of standardised data) in training, so the network learns to
    predict each feature from the others instead of copying it. With that,
    a wide network pays: one hidden layer of ``clip(2 * d, 8, 128)`` units and
    a code of ``clip(d, 2, 64)`` for ``d`` features.

    Parameters
    ----------
    n_features : int
        Width of the data.
    random_state : int, RandomState instance or None
        Passed to the autoencoder.

    Returns
    -------
    DenoisingAutoencoder
    """
    return DenoisingAutoencoder(
        int(np.clip(n_features, 2, 64)),
        noise="mask",
        noise_level=0.3,
        hidden_layer_sizes=(int(np.clip(2 * n_features, 8, 128)),),
        # The training settings the detector's defaults were chosen with
        # (docs/outliers.md), before the autoencoders' defaults changed.
        tol=1e-4,
        batch_size=256,
        random_state=random_state,
    )


def in_blocks(compute, X: np.ndarray) -> np.ndarray:
    """Return ``compute(X)``, computed a block of rows at a time.

    The inner model's predictions hold several copies of what they are given;
    blocks of about ``SCORING_BLOCK_VALUES`` values (at most 65 536 rows) keep
    that bounded on large and wide tables.

    Parameters
    ----------
    compute : callable
        Maps rows to an array with one entry (or row) per row.
    X : ndarray of shape (n_samples, ...)
        The rows.

    Returns
    -------
    ndarray
        The results of the blocks, concatenated.
    """
    rows = block_rows(X.shape[1:], values=SCORING_BLOCK_VALUES, max_rows=2**16)
    if len(X) <= rows:
        return compute(X)
    return np.concatenate([compute(X[s : s + rows]) for s in range(0, len(X), rows)])


def reconstruction_scale(errors: np.ndarray, X: np.ndarray) -> float:
    """Return what the combined error divides reconstruction errors by.

    Parameters
    ----------
    errors : ndarray of shape (n_samples,)
        The training reconstruction errors, in scaled units.
    X : ndarray of shape (n_samples, n_features)
        The scaled training data.

    Returns
    -------
    float
        The mean error, at least ``(RECONSTRUCTION_RESOLUTION * rms(X)) ** 2``
        and at least 1e-300.
    """
    mean_square = float(np.einsum("ij,ij->", X, X)) / X.size
    floor = RECONSTRUCTION_RESOLUTION**2 * mean_square
    return max(float(np.mean(errors)), float(floor), 1e-300)


def draw_rows(random_state, n_rows: int, n_drawn: int) -> np.ndarray:
    """Return ``n_drawn`` distinct row indices of ``n_rows``, in increasing order.

    Drawn with a generator seeded by :func:`draw_seed`: the same int always
    draws the same rows.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        The detector's seed.
    n_rows, n_drawn : int
        How many rows there are, and how many to draw (at most ``n_rows``).

    Returns
    -------
    ndarray of int64, shape (n_drawn,)
    """
    rows = np.random.default_rng(draw_seed(random_state)).choice(
        n_rows, n_drawn, replace=False
    )
    return np.sort(rows)


def sums_tail_statistics(detector) -> bool:
    """Return whether a fitted detector's error is a sum of tail statistics.

    It is when the error has a second part (the marginal rarity, the
    code-neighbour distance): a sum of ``-log`` tail probabilities, a
    logarithm already. Detectors pickled before the tails existed have no
    ``model_error_tail_`` and are treated as without them.

    Parameters
    ----------
    detector : ReconstructionOutlierDetector
        A fitted detector.

    Returns
    -------
    bool
        True when the ``"mad"`` rule and the plots should take the error as
        a logarithm.
    """
    return getattr(detector, "model_error_tail_", None) is not None


def has_marginal_part(detector) -> bool:
    """Return whether a fitted detector's error includes the marginal rarity.

    Detectors pickled before the marginal part existed have no
    ``histograms_`` and are treated as without it.

    Parameters
    ----------
    detector : ReconstructionOutlierDetector
        A fitted detector, of this or an earlier version of skae.

    Returns
    -------
    bool
        True when :meth:`ReconstructionOutlierDetector.feature_rarity` works.
    """
    return getattr(detector, "histograms_", None) is not None


def _clip_inputs(given: np.ndarray, scaled: np.ndarray) -> np.ndarray:
    """``scaled`` within ``[-INPUT_LIMIT, INPUT_LIMIT]``.

    In place when the scaler made a new float64 array, never in the data given.
    """
    scaled = np.asarray(scaled)
    own = (
        scaled.dtype == np.float64
        and scaled.flags.writeable
        and not np.may_share_memory(scaled, given)
    )
    return np.clip(scaled, -INPUT_LIMIT, INPUT_LIMIT, out=scaled if own else None)


def finite_errors(errors: np.ndarray) -> np.ndarray:
    """Return ``errors`` as finite float64: NaN and +inf become the largest error.

    Parameters
    ----------
    errors : ndarray
        Errors, possibly non-finite.

    Returns
    -------
    ndarray of float64
        Clipped to ``[-ERROR_LIMIT, ERROR_LIMIT]``.
    """
    errors = np.asarray(errors, dtype=np.float64)
    errors = np.nan_to_num(errors, nan=ERROR_LIMIT, posinf=ERROR_LIMIT)
    return np.clip(errors, -ERROR_LIMIT, ERROR_LIMIT)
