"""What this machine's float32 kernels do, for the tests that depend on it."""

from functools import cache

import keras
import numpy as np


@cache
def batch_changes_float32_rows() -> bool:
    """Whether a row's float32 outputs change in their last bits with the batch.

    Matrix-product kernels on some CPUs (TensorFlow's, OpenBLAS's) sum in an
    order that depends on the batch's size and a row's place in it. The probe
    runs a Dense and a Conv2D layer of the active backend on a batch, on its
    rows one at a time and on the batch reversed, and compares the bits.
    """
    rng = np.random.default_rng(0)
    probes = [
        (keras.layers.Dense(16), rng.uniform(size=(37, 64))),
        (keras.layers.Conv2D(4, 3), rng.uniform(size=(9, 8, 8, 1))),
    ]
    for layer, x in probes:
        x = x.astype("float32")
        whole = keras.ops.convert_to_numpy(layer(x))
        alone = [keras.ops.convert_to_numpy(layer(x[i : i + 1])) for i in range(len(x))]
        reversed_ = keras.ops.convert_to_numpy(layer(x[::-1]))[::-1]
        if not (
            np.array_equal(whole, np.concatenate(alone))
            and np.array_equal(whole, reversed_)
        ):
            return True
    return False
