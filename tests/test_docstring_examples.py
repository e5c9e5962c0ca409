"""The Examples sections of the public docstrings run and print what they show."""

import doctest
import importlib
from pathlib import Path

import pytest

import skae

MODULES = [
    "skae.autoencoder._conv",
    "skae.autoencoder._denoising",
    "skae.autoencoder._dense",
    "skae.autoencoder._variational",
    "skae.neighbors._code_neighbors",
    "skae.outlier._detector",
    "skae.autoencoder._sequence",
    "skae.timeseries._detector",
    "skae.timeseries._windows",
    "skae.plotting._anomaly_score",
    "skae.plotting._code_size",
    "skae.plotting._feature_error",
    "skae.plotting._history",
    "skae.plotting._latent_grid",
    "skae.plotting._latent_space",
    "skae.plotting._reconstruction",
    "skae.plotting._series_score",
    "skae.distributed._partitions",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_every_module_with_examples_is_run():
    root = Path(skae.__file__).parent
    with_examples = {
        ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for path in root.rglob("*.py")
        if ">>> " in path.read_text()
    }
    # The loaders' examples read the real data sets (see tests/test_datasets.py).
    assert with_examples - {"skae.datasets"} == set(MODULES)
