"""The smoke subset (fit, transform, pickle, determinism) under JAX and PyTorch.

Keras picks its backend once per process, so each backend runs in a subprocess
of pytest restricted to the tests marked ``backend_smoke``.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import joblib
import keras
import numpy as np
import pytest

from skae import DenseAutoencoder

TESTS = Path(__file__).resolve().parent
OTHER_BACKENDS = [b for b in ("jax", "torch") if b != keras.backend.backend()]


def run_with_backend(backend: str, args: list[str], timeout: int = 600):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=TESTS.parent,
    )


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_smoke_subset_under_backend(backend):
    result = run_with_backend(
        backend,
        [
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "backend_smoke and not tensorflow_smoke_only",
            str(TESTS / "test_common.py"),
            str(TESTS / "test_sequence.py"),
            str(TESTS / "test_dense.py"),
            str(TESTS / "test_persistence.py"),
            str(TESTS / "test_denoising.py"),
            str(TESTS / "test_epoch_loop.py"),
            str(TESTS / "test_quiet.py"),
            # Direct layer calls run on PyTorch only: their tests run there,
            # and in this (TensorFlow) process, which checks they stay off.
            *([str(TESTS / "test_direct_calls.py")] if backend == "torch" else []),
        ],
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "skipped" not in summary


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_model_pickled_here_loads_under_backend(backend, small_X, tmp_path):
    est = DenseAutoencoder(2, epochs=2, batch_size=32, random_state=0).fit(small_X)
    joblib.dump(est, tmp_path / "est.joblib")
    np.save(tmp_path / "X.npy", small_X)
    script = (
        "import joblib, keras, numpy as np;"
        f"assert keras.backend.backend() == {backend!r};"
        f"est = joblib.load({str(tmp_path / 'est.joblib')!r});"
        f"np.save({str(tmp_path / 'codes.npy')!r},"
        f" est.transform(np.load({str(tmp_path / 'X.npy')!r})))"
    )
    result = run_with_backend(backend, ["-c", script], timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    np.testing.assert_allclose(
        np.load(tmp_path / "codes.npy"), est.transform(small_X), rtol=1e-5, atol=1e-5
    )


LEAVES_TENSORFLOW_UNIMPORTED = """
import pickle, sys
import numpy as np
from keras.src.utils import module_utils
import skae

X = np.random.default_rng(0).random((200, 6)).astype("float32")
for seed in (0, 1):  # the second fit takes the trainer pool's trainer
    model = skae.DenseAutoencoder(2, epochs=2, random_state=seed).fit(X)
pickle.loads(pickle.dumps(model)).transform(X)
assert "tensorflow" not in sys.modules, "TensorFlow was imported"
# Keras' own question is left unanswered, and answered truthfully when asked.
assert module_utils.tensorflow._available is None
print(module_utils.tensorflow.available)
"""


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_other_backends_leave_tensorflow_unimported(backend):
    # Keras' serialization imports TensorFlow to check types where it is
    # installed (seconds, hundreds of MiB); fits and pickling must not.
    result = run_with_backend(backend, ["-c", LEAVES_TENSORFLOW_UNIMPORTED])
    assert result.returncode == 0, result.stderr[-4000:]
    installed = importlib.util.find_spec("tensorflow") is not None
    assert result.stdout.split()[-1] == str(installed)
