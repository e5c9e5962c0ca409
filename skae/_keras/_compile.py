"""Compile options per backend and data size, and the optimizer factory."""

from __future__ import annotations

import warnings

import keras

from ._devices import strategy_in_scope

# Several training steps per compiled call amortise the Python overhead that
# dominates small networks; 16 was the knee of the curve on Fashion-MNIST.
STEPS_PER_EXECUTION = 16
# TensorFlow's XLA compilation costs about two seconds and makes steps about a
# third faster: it pays from this many training rows on.
XLA_MIN_SAMPLES = 20_000
# Small fits in the epoch loop that plan at least this many training steps
# compile with XLA too: it fuses the few hundred small operations of a small
# network's step, and its extra compile (about a second) is repaid within two
# fits of the same shape, which the trainer pool runs on one compiled copy.
XLA_MIN_STEPS = 1_000

KERAS_LOSSES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "binary_crossentropy": "binary_crossentropy",
}


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """Return a fresh Keras optimizer of the named kind."""
    optimizer_class = type(keras.optimizers.get(name))
    return optimizer_class(learning_rate=learning_rate)


def draws_random_numbers(model: keras.Model) -> bool:
    """Whether ``model`` holds seed generators (noise, dropout, a VAE's
    sampling): Keras counts their states among its ``variables``, never
    among its ``weights``."""
    return len(model.variables) > len(model.weights)


def uses_xla(
    model: keras.Model,
    n_samples: int,
    *,
    xla_pays: bool = True,
    epoch_batch_size: int | None = None,
    planned_steps: int | None = None,
) -> bool:
    """Whether ``model``'s steps should compile with XLA.

    Always on JAX (it is eager otherwise), never on PyTorch. On TensorFlow,
    where ``xla_pays``: for data of at least ``XLA_MIN_SAMPLES`` rows, where
    the faster steps repay the seconds XLA takes to compile, and for
    epoch-loop fits (``epoch_batch_size`` set) of ``planned_steps`` (epochs
    times batches per epoch) of at least ``XLA_MIN_STEPS`` when the model
    draws no random numbers (XLA's random numbers made such fits slower on
    CPU). ``planned_steps`` None (a ``partial_fit``, whose steps are
    unknown, or a model at rest between fits) gives no XLA on small data.
    """
    backend = keras.backend.backend()
    if backend != "tensorflow":
        return backend == "jax"
    if not xla_pays:
        return False
    if n_samples >= XLA_MIN_SAMPLES:
        return True
    if epoch_batch_size is None or planned_steps is None:
        return False
    return planned_steps >= XLA_MIN_STEPS and not draws_random_numbers(model)


def compile_model(
    model: keras.Model,
    optimizer,
    loss,
    n_samples: int,
    *,
    xla_pays: bool = True,
    epoch_batch_size: int | None = None,
    xla: bool | None = None,
    auto_scale_loss: bool = True,
) -> None:
    """Compile ``model`` with the fastest settings for the backend and data size.

    ``loss`` is anything ``keras.Model.compile`` takes as a loss. ``xla_pays``
    False keeps TensorFlow off XLA whatever the data size: its CPU convolutions
    run about twice as slow under XLA as under oneDNN.

    Several steps run per compiled call on TensorFlow and JAX (one inside a
    TensorFlow distribution strategy). ``xla`` says whether the steps
    compile with XLA (a training run's choice, made by ``uses_xla``); None
    leaves it to ``uses_xla`` for ``n_samples`` rows and no planned steps
    (XLA on JAX; on TensorFlow from ``XLA_MIN_SAMPLES`` rows where
    ``xla_pays``). ``epoch_batch_size`` makes
    one step a whole epoch in batches of that size, for the epoch loop
    (``_epoch_loop.py``; the model must be an ``AutoencoderModel``); None
    gives Keras' steps of one batch.
    PyTorch keeps Keras' default (eager steps), as
    ``torch.compile`` costs more than it saves on networks of this size.
    ``auto_scale_loss`` is Keras' own: False keeps ``optimizer`` as it is,
    where the global policy is ``mixed_float16``, instead of wrapping it in a
    ``LossScaleOptimizer`` (for a copy of a model whose optimizer is already
    of the kind it needs). A model
    already compiled with the same settings is left alone, so that warm starts
    and ``partial_fit`` reuse its compiled steps.
    """
    backend = keras.backend.backend()
    if backend == "torch":
        options = {"jit_compile": False}
    else:
        jit = xla
        if jit is None:
            jit = uses_xla(
                model,
                n_samples,
                xla_pays=xla_pays,
                epoch_batch_size=epoch_batch_size,
            )
        # Keras' loop of several steps per call fails inside tf.distribute.
        one_step = epoch_batch_size is not None or strategy_in_scope()
        steps = 1 if one_step else STEPS_PER_EXECUTION
        options = {"jit_compile": jit, "steps_per_execution": steps}
    if (
        model.compiled
        and model.optimizer is optimizer
        and model.jit_compile == options["jit_compile"]
        and model.steps_per_execution == options.get("steps_per_execution", 1)
        and getattr(model, "epoch_batch_size", None) == epoch_batch_size
    ):
        return
    if epoch_batch_size is not None or hasattr(model, "epoch_batch_size"):
        # Read when the training step is traced, which compile makes anew.
        model.epoch_batch_size = epoch_batch_size
    with warnings.catch_warnings():
        # Keras falls back to plain steps where XLA cannot run (TensorFlow's
        # op determinism, a layer without XLA support): skae chose XLA, not
        # the user, so the fallback is silent.
        warnings.filterwarnings("ignore", message="Model doesn't support `jit_compile")
        model.compile(
            optimizer=optimizer, loss=loss, auto_scale_loss=auto_scale_loss, **options
        )
