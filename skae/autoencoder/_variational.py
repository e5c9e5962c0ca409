"""VariationalAutoencoder: dense or convolutional, with an honest likelihood."""

from __future__ import annotations

import hashlib
import math

import keras
import numpy as np
from scipy.special import logsumexp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .. import _persistence
from .._keras._likelihoods import NEGATIVE_LOG_LIKELIHOODS
from .._keras.layers import GaussianSampling
from .._keras.layers._gaussian_sampling import LOG_VARIANCE_LIMIT
from .._keras.networks import (
    conv_decoder,
    conv_encoder,
    dense_decoder,
    dense_stack,
    gaussian_encoder,
)
from .._utils._data import check_unit_interval
from .._utils._losses import HALF_LOG_TWO_PI, elementwise_nll
from .._utils._params import (
    Boolean,
    Interval,
    LayerSizes,
    Options,
    as_layer_sizes,
    check_value,
)
from ._base import KERAS_ACTIVATION, BaseAutoencoder
from ._conv import FILTERS_SPEC, IMAGE_SHAPE_SPEC, image_network_shape
from ._docs import fill_doc

# Draws per sample for the evidence lower bound in score_samples.
ELBO_SAMPLES = 16
# The most values decoded at once when scoring (rows x draws x features).
SCORING_CHUNK_VALUES = 2**24


@_persistence.register
@fill_doc(noise_default="None", batch_size_default="256")
class VariationalAutoencoder(BaseAutoencoder):
    """Variational autoencoder (VAE), dense or convolutional.

    The encoder gives the mean and log-variance of a diagonal Gaussian
    posterior ``q(z | x)`` over ``n_components`` latent dimensions; training
    draws ``z`` with the reparameterisation trick (seeded) and decodes it to the
    mean of the likelihood ``p(x | z)``. The loss is the negative evidence lower
    bound (ELBO) per sample, in nats: the reconstruction's negative
    log-likelihood summed over all values, plus ``beta`` times the KL
    divergence from the standard normal prior, as in the tutorials' formula.
    The other skae autoencoders report per-value mean losses; here the
    per-sample sums are the point, since they make ``score_samples`` a
    log-likelihood bound. ``loss`` names the likelihood: binary cross-entropy
    the Bernoulli (data in [0, 1]), squared error the Gaussian of unit variance,
    absolute error the Laplace of unit scale (constants included).

    ``transform`` returns the posterior mean (deterministic),
    ``inverse_transform`` decodes to the likelihood's mean, ``predict``
    reconstructs from the posterior mean, ``score_samples`` is the per-sample
    ELBO (higher is better; ``importance_samples=K`` gives the tighter
    importance-weighted bound on ``log p(x)``), and ``sample`` draws new data
    from the prior.

    Parameters
    ----------
    n_components : int, default=2
        Latent dimensions (2 for the tutorials' latent-space figures).
    architecture : {"dense", "conv"}, default="dense"
        A fully connected encoder (``hidden_layer_sizes``) and mirrored decoder,
        or a convolutional one (``filters``, ``kernel_size``, ``image_shape``,
        as in :class:`ConvAutoencoder`, then ``hidden_layer_sizes``). The
        dense architecture ignores the convolutional parameters.
    hidden_layer_sizes : tuple of int, default=(256,)
        Widths of the encoder's dense layers before the latent heads (from the
        input in the dense architecture, from the flattened feature map in the
        convolutional one); the decoder mirrors them.
    filters : tuple of int, default=(32, 64)
        Convolutional architecture: filters per level, each followed by 2x2
        pooling; the decoder mirrors them with upsampling.
    kernel_size : int, default=3
        Convolutional architecture: kernel height and width.
    image_shape : tuple of int or None, default=None
        Convolutional architecture: the image shape of flat input, as in
        :class:`ConvAutoencoder`.
    activation : str, default="relu"
        Activation of the hidden layers.
    batch_normalization : bool, default=False
        Batch normalisation in the hidden layers.
    beta : float, default=1.0
        Weight of the KL term (1: the ELBO; above 1: a beta-VAE; 0: no KL term,
        a plain autoencoder with noisy codes).
    {output_and_loss_parameters}
    {training_parameters}
    {noise_parameters}
    {run_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    DenseAutoencoder : The deterministic autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VariationalAutoencoder
    >>> X = load_digits().data / 16
    >>> vae = VariationalAutoencoder(2, loss="binary_crossentropy", epochs=5,
    ...                              random_state=0).fit(X)
    >>> vae.transform(X).shape
    (1797, 2)
    >>> vae.sample(3, random_state=0).shape
    (3, 64)
    """

    _parameter_specs = {
        "architecture": Options(("dense", "conv")),
        "hidden_layer_sizes": LayerSizes(),
        "filters": FILTERS_SPEC,
        "kernel_size": Interval(1, integer=True),
        "image_shape": IMAGE_SHAPE_SPEC,
        "activation": KERAS_ACTIVATION,
        "batch_normalization": Boolean(),
        "beta": Interval(0),
    }

    def __init__(
        self,
        n_components: int = 2,
        *,
        architecture: str = "dense",
        hidden_layer_sizes=(256,),
        filters=(32, 64),
        kernel_size: int = 3,
        image_shape=None,
        activation: str = "relu",
        batch_normalization: bool = False,
        beta: float = 1.0,
        output_activation: str = "auto",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_schedule: str = "constant",
        batch_size: int = 256,
        epochs: int = 200,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 0.0,
        noise: str | None = None,
        noise_level: float = 0.5,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        callbacks=None,
    ):
        self.n_components = n_components
        self.architecture = architecture
        self.hidden_layer_sizes = hidden_layer_sizes
        self.filters = filters
        self.kernel_size = kernel_size
        self.image_shape = image_shape
        self.activation = activation
        self.batch_normalization = batch_normalization
        self.beta = beta
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.noise = noise
        self.noise_level = noise_level
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.callbacks = callbacks

    # score_samples is a log-likelihood bound: the outlier detector uses it as
    # the error by default.
    _score_is_likelihood = True

    @property
    def _xla_pays(self) -> bool:
        return self.architecture == "dense"

    @property
    def _takes_images(self) -> bool:
        return self.architecture == "conv"

    # ------------------------------------------------------------ the network

    def _network_input_shape(self, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        if self.architecture == "conv":
            return image_network_shape(
                sample_shape, self.image_shape, type(self).__name__
            )
        return super()._network_input_shape(sample_shape)

    def _build_encoder(self, input_shape: tuple[int, ...]) -> keras.Model:
        inputs = keras.Input(input_shape, name="input")
        features = inputs
        if self.architecture == "conv":
            feature_maps = conv_encoder(
                input_shape,
                filters=as_layer_sizes(self.filters),
                kernel_size=self.kernel_size,
                pooling="max",
                activation=self.activation,
                batch_normalization=bool(self.batch_normalization),
                n_components=None,
                code_activation="linear",
            )
            features = keras.layers.Flatten(name="flatten")(feature_maps(inputs))
        features = self._hidden_layers(
            features, as_layer_sizes(self.hidden_layer_sizes), "encoder_hidden"
        )
        body = keras.Model(inputs, features, name="features")
        return gaussian_encoder(body, self.n_components)

    def _hidden_layers(self, x, widths: tuple[int, ...], prefix: str):
        """The dense layers between the features and the latent code."""
        return dense_stack(
            x,
            widths,
            activation=self.activation,
            dropout=0.0,
            batch_normalization=bool(self.batch_normalization),
            prefix=prefix,
        )

    def _latent(self, encoded):
        return GaussianSampling(self.beta, name="sampling")(encoded)

    def _build_decoder(
        self, latent_shape: tuple[int, ...], output_shape: tuple[int, ...]
    ) -> keras.Model:
        if self.architecture == "conv":
            codes = keras.Input(latent_shape, name="code")
            features = self._hidden_layers(
                codes, as_layer_sizes(self.hidden_layer_sizes)[::-1], "decoder_hidden"
            )
            images = conv_decoder(
                tuple(features.shape[1:]),
                output_shape,
                filters=as_layer_sizes(self.filters),
                kernel_size=self.kernel_size,
                activation=self.activation,
                batch_normalization=bool(self.batch_normalization),
                output_activation=self._output_activation,
            )(features)
            return keras.Model(codes, images, name="decoder")
        return dense_decoder(
            latent_shape[0],
            output_shape[0],
            hidden_layer_sizes=as_layer_sizes(self.hidden_layer_sizes),
            activation=self.activation,
            output_activation=self._output_activation,
            dropout=0.0,
            batch_normalization=bool(self.batch_normalization),
        )

    def _keras_loss(self):
        return NEGATIVE_LOG_LIKELIHOODS[self.loss]

    # ---------------------------------------------------------------- scores

    def score_samples(self, X, *, importance_samples: int | None = None) -> np.ndarray:
        """Return the evidence lower bound of each sample, in nats.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data to score; an out-of-core source (``np.memmap``,
            ``h5py.Dataset``, ``zarr.Array``, ``keras.utils.PyDataset``) is
            read in blocks.
        importance_samples : int or None, default=None
            None: the ELBO, ``E_q[log p(x | z)] - KL(q(z | x) || p(z))``, the
            expectation estimated with 16 draws and the KL term exact. An int
            ``K``: the importance-weighted bound of Burda et al. (2016),
            ``log (1/K) sum_k p(x, z_k) / q(z_k | x)``, which is at least the
            ELBO on average and tightens towards ``log p(x)`` as ``K`` grows.
            Each sample's draws come from a generator seeded by a hash of the
            sample's values, so the score of a fitted model is a fixed function
            of each sample, whatever else is scored with it.

        Returns
        -------
        ndarray of float64, shape (n_samples,)
            Higher is better (more likely).
        """
        if importance_samples is not None:
            check_value(
                importance_samples, "importance_samples", Interval(1, integer=True)
            )
        return self._over_blocks(
            X,
            lambda rows: self._bounds(rows, importance_samples),
            unit_interval=self.loss == "binary_crossentropy",
        )

    def _bounds(self, X: np.ndarray, importance_samples: int | None) -> np.ndarray:
        """The bound of each row of validated data in the network's layout."""
        if self.loss == "binary_crossentropy":
            # The Bernoulli likelihood has no value outside [0, 1].
            check_unit_interval(X)
        mean, log_variance = self._predict_with(self.encoder_, X)
        mean = np.asarray(mean, dtype=np.float64)
        std = np.exp(
            0.5 * np.clip(log_variance, -LOG_VARIANCE_LIMIT, LOG_VARIANCE_LIMIT)
        )
        n_draws = ELBO_SAMPLES if importance_samples is None else importance_samples
        values = math.prod(X.shape[1:])
        rows = max(1, SCORING_CHUNK_VALUES // (n_draws * values))
        scores = np.empty(len(X))
        for start in range(0, len(X), rows):
            part = slice(start, start + rows)
            eps = _draws_per_row(X[part], n_draws, self.n_components)
            scores[part] = self._bound(
                X[part], mean[part], std[part], eps, importance_samples is not None
            )
        return scores

    def _bound(self, X, mean, std, eps, importance_weighted: bool) -> np.ndarray:
        """The ELBO or importance-weighted bound of a chunk of rows."""
        z = mean[None] + std[None] * eps  # (draws, rows, latent)
        decoded = self._predict_with(
            self.decoder_, z.reshape(-1, z.shape[-1]).astype(np.float32)
        )
        targets = np.broadcast_to(X[None], (len(eps), *X.shape))
        nll = elementwise_nll(targets.reshape(decoded.shape), decoded, self.loss)
        log_likelihood = -nll.reshape(len(eps), len(X), -1).sum(axis=2)
        if not importance_weighted:
            kl = 0.5 * np.sum(
                np.square(mean) + np.square(std) - 1.0 - 2.0 * np.log(std), axis=1
            )
            # The bound itself weighs the KL term by 1, whatever beta trained with.
            return log_likelihood.mean(axis=0) - kl
        log_prior = -0.5 * np.sum(np.square(z), axis=2) - HALF_LOG_TWO_PI * z.shape[2]
        log_posterior = (
            -0.5 * np.sum(np.square(eps), axis=2)
            - np.sum(np.log(std), axis=1)[None]
            - HALF_LOG_TWO_PI * z.shape[2]
        )
        log_weights = log_likelihood + log_prior - log_posterior
        return logsumexp(log_weights, axis=0) - np.log(len(eps))

    # ------------------------------------------------------------ generation

    def sample(self, n_samples: int = 1, random_state=None) -> np.ndarray:
        """Draw new data: latent codes from the prior, decoded to the mean.

        Parameters
        ----------
        n_samples : int, default=1
            How many to draw.
        random_state : int, RandomState instance or None, default=None
            Seeds the latent draws.

        Returns
        -------
        ndarray of float32, shape ``(n_samples, *input_shape_)``
            The likelihood's mean for each draw (for the Bernoulli: pixel
            probabilities), in the layout fitted.
        """
        check_is_fitted(self)
        check_value(n_samples, "n_samples", Interval(1, integer=True))
        z = check_random_state(random_state).standard_normal(
            (n_samples, self.n_components)
        )
        return self.inverse_transform(z.astype(np.float32))


def _draws_per_row(X: np.ndarray, n_draws: int, n_components: int) -> np.ndarray:
    """Standard normal draws ``(n_draws, rows, n_components)``, seeded per row.

    Each row's generator is seeded by a hash of its bytes: the same sample gets
    the same draws wherever it stands, and different samples independent ones.
    """
    draws = np.empty((n_draws, len(X), n_components))
    for i, row in enumerate(X):
        digest = hashlib.blake2b(np.ascontiguousarray(row).tobytes(), digest_size=8)
        rng = np.random.default_rng(int.from_bytes(digest.digest(), "little"))
        draws[:, i] = rng.standard_normal((n_draws, n_components))
    return draws
