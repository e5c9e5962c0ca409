"""Training over several devices: Keras' distribution API on JAX, tf.distribute on TF.

Each test runs in a subprocess that splits the CPU into two virtual devices
(they must be set before the backend starts).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# 1347 training rows: neither they, nor the 10 % validation part, nor the
# last batch split evenly over two devices; transform gets 5 rows.
COMMON = r"""
import json
import numpy as np
from sklearn.datasets import load_digits
from skae import DenseAutoencoder, VariationalAutoencoder
X = load_digits().data[:1347] / 16
def run(scope):
    with scope:
        dense = DenseAutoencoder(8, epochs=4, batch_size=64, random_state=0).fit(X)
        vae = VariationalAutoencoder(2, epochs=2, batch_size=64, random_state=0).fit(X)
        return {
            "codes": dense.transform(X[:5]).tolist(),
            "score": float(dense.score(X)),
            "vae_score": float(vae.score(X[:7])),
            "n_iter": dense.n_iter_,
        }
"""

JAX_SCRIPT = (
    COMMON
    + r"""
import contextlib, keras
devices = keras.distribution.list_devices()
assert len(devices) == 2, devices
many = run(keras.distribution.DataParallel(devices=devices).scope())
one = run(contextlib.nullcontext())
try:
    with keras.distribution.DataParallel(devices=devices).scope():
        DenseAutoencoder(2, epochs=1, batch_size=33).fit(X)
    refused = ""
except ValueError as error:
    refused = str(error)
import tempfile
from skae._utils import _sources
_sources.MEMMAP_STREAM_MIN_BYTES = 0  # stream this small memmap
with tempfile.TemporaryDirectory() as folder:
    source = np.lib.format.open_memmap(
        folder + "/x.npy", mode="w+", dtype=np.float32, shape=X.shape
    )
    source[:] = X
    # Streamed: 1347 rows, a last batch of 3 rows, odd validation batches.
    def streamed(scope):
        with scope:
            model = DenseAutoencoder(8, epochs=4, batch_size=64, random_state=0)
            model.fit(source)
            return {"score": float(model.score(X)), "n_iter": model.n_iter_,
                    "codes": model.transform(source[:5]).tolist()}
    streamed_many = streamed(keras.distribution.DataParallel(devices=devices).scope())
    again = streamed(keras.distribution.DataParallel(devices=devices).scope())
    streamed_one = streamed(contextlib.nullcontext())
print(json.dumps({"many": many, "one": one, "refused": refused,
                  "streamed_many": streamed_many, "streamed_again": again,
                  "streamed_one": streamed_one}))
"""
)

TF_SCRIPT = (
    COMMON
    + r"""
import contextlib
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
many = run(strategy.scope())
one = run(contextlib.nullcontext())
print(json.dumps({"many": many, "one": one, "refused": ""}))
"""
)


def run_script(script: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_like_one_device(outcome: dict) -> None:
    many, one = outcome["many"], outcome["one"]
    assert len(many["codes"]) == 5 and len(many["codes"][0]) == 8
    assert many["n_iter"] == one["n_iter"] == 4
    # The same model, trained on the same rows (a few repeated to fill the
    # last batch): close to the single-device fit, not bit-identical.
    assert many["score"] == pytest.approx(one["score"], rel=0.05)
    assert many["vae_score"] == pytest.approx(one["vae_score"], rel=0.05)


def test_data_parallel_on_two_jax_devices():
    pytest.importorskip("jax")
    outcome = run_script(
        JAX_SCRIPT,
        {
            "KERAS_BACKEND": "jax",
            "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        },
    )
    assert_like_one_device(outcome)
    assert "batch_size=33 must be a multiple of the 2 devices" in outcome["refused"]
    # An out-of-core source splits too, every batch padded with its own rows.
    streamed = {"many": outcome["streamed_many"], "one": outcome["streamed_one"]}
    assert streamed["many"]["n_iter"] == streamed["one"]["n_iter"] == 4
    assert streamed["many"]["score"] == pytest.approx(
        streamed["one"]["score"], rel=0.05
    )
    assert streamed["one"]["score"] == pytest.approx(outcome["one"]["score"], rel=0.05)
    assert len(streamed["many"]["codes"]) == 5
    # The padding is seeded: the same fit again gives the same model.
    assert outcome["streamed_again"] == outcome["streamed_many"]


def test_mirrored_strategy_on_two_tensorflow_devices():
    outcome = run_script(TF_SCRIPT, {"KERAS_BACKEND": "tensorflow"})
    assert_like_one_device(outcome)
