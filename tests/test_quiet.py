"""Ordinary use prints nothing but the user's own output."""

import os
import pickle
import subprocess
import sys
import warnings

import pytest

from skae import DenseAutoencoder

SCRIPT = """
from sklearn.datasets import load_digits
from skae import (ConvAutoencoder, DenseAutoencoder, ReconstructionOutlierDetector,
                  SequenceAutoencoder, TimeSeriesOutlierDetector,
                  VariationalAutoencoder)
X = load_digits().data[:300] / 16
# Several models in a row, predicting on batches of new sizes (TensorFlow
# would warn about retracing): two dense ones, then one of each other kind.
for make, sizes in ((DenseAutoencoder, (2, 3)), (ConvAutoencoder, (2,)),
                    (VariationalAutoencoder, (2,)), (SequenceAutoencoder, (2,))):
    for n in sizes:
        # Sequences of 16 steps: an LSTM over 64 would only make this slower.
        data = X[:, :16] if make is SequenceAutoencoder else X
        ae = make(n, epochs=2, random_state=0).fit(data)
        ae.predict(data[:10]), ae.transform(data[: 10 + n]), ae.score_samples(data[:7])
ReconstructionOutlierDetector(random_state=0).fit(X).predict(X[:10])
series = X[:, 30]
TimeSeriesOutlierDetector(window=10, random_state=0).fit(series).predict(series)
print("done")
"""


def run_fresh(script: str, *args: str) -> str:
    """Run ``script`` in a fresh Python without TF_CPP settings; return stdout.

    Fails unless it succeeds with nothing at all on standard error.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_a_plain_script_prints_no_backend_lines():
    assert run_fresh(SCRIPT) == "done\n"


LAZY = """
import sys
import skae
assert "keras" not in sys.modules and "sklearn.neighbors" not in sys.modules
assert "DenseAutoencoder" in dir(skae)
model = skae.load(sys.argv[1])  # imports what loading needs, quietly
assert "keras" in sys.modules
print(model.transform([[0.0] * 8]).shape)
"""


def test_import_skae_imports_no_backend_until_needed(tmp_path):
    import numpy as np

    rng = np.random.RandomState(0)
    DenseAutoencoder(2, epochs=1, random_state=0).fit(rng.rand(40, 8)).save(
        tmp_path / "model.skae"
    )
    assert run_fresh(LAZY, str(tmp_path / "model.skae")) == "(1, 2)\n"


@pytest.mark.backend_smoke
def test_fit_predict_and_pickle_raise_no_keras_deprecation_warning(small_X):
    # Keras' variables and PyTorch's tensors lack NumPy 2's copy keyword:
    # unhidden, NumPy warns at every step, prediction and saved weight, and
    # pytest shows each warning in the user's own test runs.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ae = DenseAutoencoder(2, epochs=2, random_state=0).fit(small_X)
        ae.partial_fit(small_X).transform(small_X)
        pickle.loads(pickle.dumps(ae)).score_samples(small_X)
    messages = [str(w.message) for w in caught if "copy keyword" in str(w.message)]
    assert messages == []
