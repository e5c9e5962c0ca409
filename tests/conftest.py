"""Shared fixtures: small data sets and the location of the real benchmark data."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Several xdist workers share the cores: one thread each for TensorFlow's and
# OpenMP's pools (PyTorch), in the workers and the subprocesses they start.
# Pools sized to the machine in every worker compete, and OpenMP's threads
# spin while they wait: a PyTorch subprocess ran ten times slower.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ.setdefault(name, "1")

import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1] as float64, with labels."""
    data = load_digits()
    return data.data / 16.0, data.target


@pytest.fixture(scope="session")
def small_X(digits):
    """200 digit images: small enough for quick fits."""
    return digits[0][:200]


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The real data folder (SKAE_DATA or ../shared/data); skips when absent."""
    folder = Path(
        os.environ.get(
            "SKAE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
        )
    )
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent")
    return folder
