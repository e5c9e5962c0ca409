"""The Keras model that every skae estimator trains."""

from __future__ import annotations

import keras

from ._direct_calls import direct_call, runs_direct_calls


@keras.saving.register_keras_serializable(package="skae")
class AutoencoderModel(keras.Model):
    """A functional Keras model whose training target is its own input.

    ``fit(x)`` with no ``y`` trains to reconstruct ``x``: the data reach Keras
    once, not twice as ``(x, x)``, which saves memory and a copy per batch. Loss
    terms that layers add with ``add_loss`` (activity regularisation, a VAE's
    KL divergence) are summed in by Keras as usual.

    With ``epoch_batch_size`` set (by ``_keras/_epoch_loop.py``, before the
    training step is compiled), one training step is a whole epoch: the batch
    it receives is the epoch's rows in their shuffled order, and the step runs
    Keras' own step on consecutive slices of ``epoch_batch_size`` rows inside
    one compiled loop (``keras.ops.fori_loop``), and on the smaller last slice
    after it, so that an epoch costs one call into the backend instead of one
    per batch. Every batch has a static shape: on TensorFlow a loop over
    batches of any size made every shape unknown to the graph optimiser, and
    the steps of a small network a third slower.
    The returned loss is the mean over the epoch's rows, as ``fit`` reports it.

    On TensorFlow one step may also run several epochs (``train_epochs``):
    its batch is then the epochs' rows concatenated, each epoch in its own
    order, and it returns each epoch's mean loss as well.
    """

    epoch_batch_size: int | None = None
    # (rows per epoch, epochs) of the step in ``train_function`` (read when
    # it is traced), and the traced steps kept by that key.
    _epoch_shape: tuple | None = None
    _epoch_steps: dict | None = None

    def call(self, inputs, training=None, mask=None, **kwargs):
        # On PyTorch, plain layers are called without Keras' per-call work.
        if mask is None and not kwargs and runs_direct_calls(self):
            return direct_call(self, self._standardize_inputs(inputs), training)
        return super().call(inputs, training=training, mask=mask, **kwargs)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        if y is None:
            y = x
        return super().compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
        )

    def train_epoch(self, *arrays) -> dict:
        """Train one epoch on ``arrays`` (the input, and the target if any),
        whose rows are in the epoch's order; return Keras' logs.

        Needs ``epoch_batch_size``. The step is traced for the number of rows
        it receives (the batches are static slices): another number of rows
        makes a new step rather than a shape-relaxed one.
        """
        return self.train_epochs(*arrays, n_epochs=1)

    def train_epochs(self, *arrays, n_epochs: int) -> dict:
        """Train ``n_epochs`` epochs of ``len(arrays[0]) // n_epochs`` rows
        each, on ``arrays`` holding the epochs' rows one after the other;
        return Keras' logs, with ``"epoch_losses"`` (each epoch's mean loss)
        when ``n_epochs > 1`` (TensorFlow only).

        The traced steps of the current epoch size are kept, one per number
        of epochs, so that calls of one and of several epochs alternate
        without tracing again; another epoch size drops them.
        """
        shape = (len(arrays[0]) // n_epochs, n_epochs)
        steps = self._epoch_steps or {}
        if self.train_function is None or self.train_function is not steps.get(
            self._epoch_shape
        ):
            # Compiled anew (or trained by fit) since: no traced step is valid.
            steps, self._epoch_shape = {}, None
        if shape != self._epoch_shape:
            if shape[0] != (self._epoch_shape or (None,))[0]:
                steps = {key: f for key, f in steps.items() if key[0] == shape[0]}
            self._epoch_shape = shape
            if shape not in steps:
                self.make_train_function(force=True)
                steps[shape] = self.train_function
            self.train_function = steps[shape]
        self._epoch_steps = steps
        return self.train_on_batch(*arrays, return_dict=True)

    def train_step(self, *args):
        if self.epoch_batch_size is None:
            return super().train_step(*args)
        # JAX's trainer passes the model's state and takes it back from each
        # step; the others update the variables in place and carry nothing.
        *state, data = args
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        arrays = (x,) if y is None else (x, y)
        n_rows = x.shape[0]
        size = max(min(self.epoch_batch_size, n_rows), 1)
        step = super().train_step

        def rows(start, count):
            return tuple(
                keras.ops.slice(
                    a, (start,) + (0,) * (a.ndim - 1), (count, *a.shape[1:])
                )
                for a in arrays
            )

        def advance(carried, batch):
            if state:
                return step(carried, batch)[1]
            step(batch)
            return carried

        def full_batches(offset, count, carried):
            # ``count`` batches of ``size`` rows from row ``offset`` in one
            # compiled loop. Static shapes: a last batch of another size in
            # the same loop made every shape unknown to TensorFlow's graph
            # optimiser, and the steps of a small network a third slower.
            def one_batch(i, carried):
                return advance(carried, rows(offset + i * size, size))

            return (
                keras.ops.fori_loop(0, count, one_batch, carried) if count else carried
            )

        if keras.backend.backend() == "tensorflow":
            epoch_rows, n_epochs = self._epoch_shape or (n_rows, 1)
            if epoch_rows * n_epochs != n_rows:  # traced outside train_epochs
                epoch_rows, n_epochs = n_rows, 1
            size = max(min(self.epoch_batch_size, epoch_rows), 1)
            n_full, tail = divmod(epoch_rows, size)

            def batches(offset):
                full_batches(offset, n_full, 0)
                if tail:
                    advance(0, rows(offset + n_full * size, tail))

            def one_epoch(epoch, losses):
                # Each epoch's loss is a mean of its own, as in a call per epoch.
                self.reset_metrics()
                batches(epoch * epoch_rows)
                loss = keras.ops.reshape(self.get_metrics_result()["loss"], (1,))
                return keras.ops.slice_update(losses, (epoch,), loss)

            if n_epochs == 1:
                batches(0)
                return self.get_metrics_result()
            losses = keras.ops.fori_loop(
                0, n_epochs, one_epoch, keras.ops.zeros((n_epochs,))
            )
            return {**self.get_metrics_result(), "epoch_losses": losses}

        # The last batch (full or not) apart: its step's logs are returned.
        last_start = (n_rows - 1) // size * size
        carried = full_batches(0, last_start // size, state[0] if state else 0)
        tail = rows(last_start, n_rows - last_start)
        return step(carried, tail) if state else step(tail)
