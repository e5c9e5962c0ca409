"""The documentation builds, with every Sphinx warning treated as an error.

The build needs no network (intersphinx reads docs/_inventories) and runs no
example (the gallery only shows the scripts), so it takes seconds.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("furo")
pytest.importorskip("numpydoc")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("myst_parser")

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_build_without_warnings(tmp_path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "KERAS_BACKEND": "tensorflow",
        "SKAE_DOCS_RUN_EXAMPLES": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-j", "1", "-q"]
        + ["-b", "html", str(DOCS), str(tmp_path / "html")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    html = tmp_path / "html"
    page = html / "api" / "generated" / "skae.DenseAutoencoder.html"
    assert page.is_file()
    assert 'id="skae.DenseAutoencoder.fit"' in page.read_text()
    for name in ("index", "guide/getting_started", "outliers", "design"):
        assert (html / f"{name}.html").is_file(), name
    assert (html / "auto_examples" / "index.html").is_file()
    # intersphinx resolved offline, to scikit-learn's real URL scheme
    assert (
        "https://scikit-learn.org/stable/modules/generated/"
        "sklearn.pipeline.Pipeline.html#sklearn.pipeline.Pipeline"
    ) in (html / "index.html").read_text()
