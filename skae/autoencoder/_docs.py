"""Docstring sections every autoencoder shares, written once.

A class docstring names a section as ``{training_parameters}`` (say), and
:func:`fill_doc` puts the text in, so the parameters of the fit loop read the
same in every estimator's documentation.
"""

from __future__ import annotations

_SECTIONS = {
    "output_and_loss_parameters": """\
output_activation : str, default="auto"
        Activation of the output layer; ``"auto"`` means ``"sigmoid"`` for binary
        cross-entropy and ``"linear"`` otherwise.
    loss : {"mse", "mae", "binary_crossentropy"}, default="mse"
        Reconstruction loss; binary cross-entropy needs data (or the target) in
        [0, 1].""",
    "training_parameters": """\
optimizer : str, default="adam"
        Name of a Keras optimizer ("adam", "rmsprop", "sgd", ...).
    learning_rate : float, default=1e-3
        The optimizer's learning rate at the start of each call of ``fit`` and
        ``partial_fit``.
    learning_rate_schedule : {"constant", "cosine"}, default="constant"
        How the rate moves over the ``epochs`` of one call of ``fit``:
        ``"constant"`` keeps it; ``"cosine"`` decays it along a half cosine to
        1 % of ``learning_rate`` in the last epoch, which helps a fit that
        runs its whole epoch budget (``early_stopping=False``) end with small,
        precise steps. ``partial_fit`` trains one epoch at ``learning_rate``.
    batch_size : int, default={batch_size_default}
        Samples per gradient step.
    epochs : int, default=200
        The most epochs one call of ``fit`` trains.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the data, stop once the validation
        loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch. If False, training stops when the
        training loss stops improving, keeping the last weights.
    validation_fraction : float in [0, 1), default=0.1
        Fraction of the training data held out for early stopping (0 only with
        ``early_stopping=False``).
    n_iter_no_change : int, default=10
        Patience, in epochs.
    tol : float, default=0.0
        The least decrease of the monitored loss that counts as improvement.
        The default counts every decrease: the loss of a good fit on [0, 1]
        data can be a few thousandths, and a fixed tolerance would stop it
        while it still improves.""",
    "noise_parameters": """\
noise : {None, "gaussian", "mask", "salt_and_pepper"}, default={noise_default}
        Corruption of the inputs, in training only (a denoising autoencoder):
        ``"gaussian"`` adds normal noise of standard deviation ``noise_level``,
        clipped to the range of the training data; ``"mask"`` sets a fraction
        ``noise_level`` of the inputs to 0; ``"salt_and_pepper"`` sets a
        fraction ``noise_level`` to the training minimum or maximum. The loss
        compares the output with the clean data, so ``predict(X_noisy)``
        denoises. ``transform``, ``predict``, the scores and the validation
        loss see uncorrupted inputs. None: no corruption.
    noise_level : float, default=0.5
        Standard deviation of the Gaussian noise, or the fraction of inputs
        changed (in [0, 1)).""",
    "run_parameters": """\
random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout, the noise and the
        validation split. An int gives identical results on the same machine
        and backend.
    verbose : {0, 1, 2}, default=0
        0 silent, 1 a progress bar, 2 one line per epoch.
    warm_start : bool, default=False
        If True, ``fit`` continues training the fitted networks.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks run during ``fit``.""",
    "fitted_attributes": """\
model_ : keras.Model
        The autoencoder: input -> [corruption] -> encoder -> latent (the
        VAE's sampling step; the code itself otherwise) -> decoder.
    encoder_ : keras.Model
        Input to code; shares its weights with ``model_``.
    decoder_ : keras.Model
        Code to reconstruction; shares its weights with ``model_``.
    history_ : dict of str to list of float
        Keras' training history, extended by warm starts and ``partial_fit``.
    n_iter_ : int
        Epochs trained in total.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_loss_curve_ : list of float
        Validation loss per epoch (empty without early stopping).
    best_loss_ : float
        The best monitored loss of the last fit (validation loss with early
        stopping, else training loss).
    best_epoch_ : int
        The 1-based epoch of ``best_loss_``; 0 when the network started from
        the data (the dense ``"auto"`` network starts at PCA) and no epoch
        beat that start on the validation data, so the starting weights were
        kept.
    input_shape_ : tuple of int
        The shape of one sample as given to ``fit``: ``(n_features,)`` for
        2-D data, ``(h, w, c)`` for images, ``(steps, features)`` for
        sequences. ``predict`` and ``inverse_transform`` return this layout.
    n_features_in_ : int
        Number of values in one sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit``, when X was 2-D with string column
        names.""",
}


def fill_doc(**values):
    """Class decorator: fill the shared sections (and ``values``) into ``__doc__``."""

    def decorate(cls):
        text = cls.__doc__
        # Sections first: they may hold placeholders of ``values`` themselves.
        for key, section in _SECTIONS.items():
            text = text.replace("{" + key + "}", section)
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        cls.__doc__ = text
        return cls

    return decorate
