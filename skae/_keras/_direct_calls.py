"""Running a model's graph with direct calls of its plain layers, on PyTorch.

On PyTorch, Keras runs every layer eagerly, and each layer call goes through
``Layer.__call__``: input conversion, the call context, masks, name and
autocast scopes, then PyTorch's module machinery. For a small dense network
that costs several times the layer's arithmetic: on the digits it was about
two fifths of a training step of a 64-32-8-32-64 network. TensorFlow and JAX
pay it once, when they trace a step, so this concerns PyTorch alone.

``direct_call`` runs a functional model's graph as Keras' ``Functional.call``
does, nested functional models included, but calls the ``call`` method of
*plain* layers itself (``is_plain``): layers of the exact Keras types in
``DIRECT_LAYERS``, already built, computing in float32 with float32
variables (no autocast), not quantized, without an activity regulariser
(added by ``__call__``) or PyTorch hooks, given float32 inputs without
masks. For those ``__call__`` adds nothing to the result. Every other layer
(noise, sampling, recurrent cells, batch normalisation, a user's layer) is
called as Keras calls it, with the training flag where it is set. The
arithmetic is the same, so are the results (tested: outputs, added losses,
random draws and whole fits equal to Keras' calls).

It relies on ``Functional._run_through_graph``, which Keras keeps private;
``runs_direct_calls`` says False where it is missing, for a model that is
not float32, or where a distribution places tensors, and the model then
runs Keras' own ``call``.
"""

from __future__ import annotations

import keras

# Layers whose ``call`` is pure arithmetic on built weights, with no
# training behaviour: what skae's networks are made of, bar noise and sampling.
DIRECT_LAYERS = (
    keras.layers.Activation,
    keras.layers.Add,
    keras.layers.Conv2D,
    keras.layers.Conv2DTranspose,
    keras.layers.Cropping2D,
    keras.layers.Dense,
    keras.layers.Flatten,
    keras.layers.RepeatVector,
    keras.layers.Reshape,
    keras.layers.UpSampling2D,
)


def runs_direct_calls(model: keras.Model) -> bool:
    """Whether ``model``'s calls go through ``direct_call``: on PyTorch, for
    a functional model computing and storing in float32, outside a Keras
    distribution."""
    return (
        keras.backend.backend() == "torch"
        and hasattr(model, "_run_through_graph")
        and model.compute_dtype == "float32"
        and model.variable_dtype == "float32"
        and keras.distribution.distribution() is None
    )


def direct_call(model: keras.Model, inputs, training: bool | None):
    """``model(inputs, training=training)``'s outputs, plain layers called directly.

    ``model`` is a functional model; ``inputs`` the backend tensors its
    ``call`` receives. ``training`` reaches the other layers as Keras'
    ``Functional.call`` passes it: only when it is not None.
    """
    return _run(model, inputs, _operation_caller(training))


def _run(model: keras.Model, inputs, caller):
    outputs = model._run_through_graph(inputs, operation_fn=caller)
    if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
        return outputs[0]
    return outputs


def _operation_caller(training: bool | None):
    """The ``operation_fn`` of ``_run_through_graph``: how to call each node's
    layer."""

    def caller(operation):
        if type(operation).__name__ == "Functional":  # a nested keras.Model
            direct = lambda args: _run(operation, args[0], caller)  # noqa: E731
        elif is_plain(operation):
            direct = lambda args: operation.call(*args)  # noqa: E731
        else:
            return lambda *args, **kwargs: _keras_call(
                operation, training, args, kwargs
            )

        def call(*args, **kwargs):
            # Nodes record the mask argument Keras filled in (None). A mask
            # (none of skae's layers makes one) or an input of another dtype
            # (which Keras would convert) needs Keras' own call.
            tensors = keras.tree.flatten(args)
            if any(v is not None for v in kwargs.values()) or any(
                getattr(t, "_keras_mask", None) is not None
                or keras.backend.standardize_dtype(t.dtype) != "float32"
                for t in tensors
            ):
                return _keras_call(operation, training, args, kwargs)
            return direct(args)

        return call

    return caller


def is_plain(layer) -> bool:
    """Whether ``Layer.__call__`` would add nothing to ``layer.call`` for
    float32 inputs without masks."""
    return (
        type(layer) in DIRECT_LAYERS
        and layer.built
        and layer.compute_dtype == "float32"
        and layer.variable_dtype == "float32"
        and getattr(layer, "activity_regularizer", None) is None
        # A quantized layer computes through quantized_call, not call.
        and getattr(layer, "quantization_mode", None) is None
        # PyTorch hooks a user registered on the layer run in __call__.
        and not getattr(layer, "_forward_hooks", None)
        and not getattr(layer, "_forward_pre_hooks", None)
    )


def _keras_call(layer, training: bool | None, args, kwargs):
    if training is not None and "training" in getattr(layer, "_call_context_args", ()):
        kwargs = {**kwargs, "training": training}
    return layer(*args, **kwargs)


__all__ = ["DIRECT_LAYERS", "direct_call", "is_plain", "runs_direct_calls"]
