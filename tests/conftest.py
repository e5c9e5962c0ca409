"""Shared fixtures: small data sets and the location of the real benchmark data."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

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
