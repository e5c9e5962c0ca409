"""Sphinx configuration of the skae documentation.

Build it with ``python -m sphinx -b html docs docs/_build/html``. Nothing here
needs the network: intersphinx reads the inventories in ``docs/_inventories``
(``make_inventories.py`` there writes them from the installed packages), and the
examples gallery shows the scripts without running them unless
``SKAE_DOCS_RUN_EXAMPLES=1`` is set.

The API reference (``docs/api/``) is written here, at every build, from the
``__all__`` of each public module, so a name added to or removed from a module
shows up without editing any page.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

import skae  # noqa: E402

project = "skae"
author = "the skae developers"
copyright = "the skae developers"
release = skae.__version__
version = re.sub(r"(\.dev\d*|rc\d*)$", "", release)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_inventories", "Thumbs.db", ".DS_Store"]
suppress_warnings = ["config.cache"]  # sphinx-gallery's callables in the config

html_theme = "furo"
html_title = f"skae {release}"

# -- API reference -------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- intersphinx, offline ------------------------------------------------------
intersphinx_mapping = {
    "sklearn": ("https://scikit-learn.org/stable/", "_inventories/sklearn.inv"),
    "numpy": ("https://numpy.org/doc/stable/", "_inventories/numpy.inv"),
    "keras": ("https://keras.io/api/", "_inventories/keras.inv"),
}
intersphinx_timeout = 1

# -- Markdown pages (docs/design.md, outliers.md, timeseries.md) ---------------
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# -- examples gallery ----------------------------------------------------------
_run_examples = os.environ.get("SKAE_DOCS_RUN_EXAMPLES", "") not in ("", "0")
sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": "auto_examples",
    # Nothing runs unless asked: the scripts train networks for minutes.
    "filename_pattern": r"\.py$" if _run_examples else r"^$",
    "plot_gallery": "True" if _run_examples else "False",
    "download_all_examples": False,
    "remove_config_comments": True,
    "write_computation_times": False,
    "reference_url": {"skae": None},
}

# -- the generated API pages ---------------------------------------------------
API_MODULES = [
    "skae",
    "skae.autoencoder",
    "skae.outlier",
    "skae.timeseries",
    "skae.neighbors",
    "skae.metrics",
    "skae.datasets",
    "skae.plotting",
    "skae.distributed",
]
_API_PROBLEMS: list[str] = []


def _public_names(module_name: str) -> list[str]:
    """The documented names of a module: its ``__all__``, or its own functions."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isclass(obj) or inspect.isfunction(obj))
            and obj.__module__ == module_name
        ]
    return [
        name
        for name in names
        if not name.startswith("_")
        and (inspect.isclass(getattr(module, name)) or callable(getattr(module, name)))
    ]


def _module_page(module_name: str, names: list[str], top_level: set[str]) -> str:
    title = f"``{module_name}``"
    lines = [
        title,
        "=" * len(title),
        "",
        f".. automodule:: {module_name}",
        "   :no-members:",
        "",
        f".. currentmodule:: {module_name}",
        "",
    ]
    own = [n for n in names if module_name == "skae" or n not in top_level]
    shared = [n for n in names if module_name != "skae" and n in top_level]
    if own:
        lines += [".. autosummary::", "   :toctree: generated/", "", ""]
        lines[-1:] = [f"   {name}" for name in sorted(own)] + [""]
    if shared:
        lines += [
            "Also importable from here, documented under :mod:`skae`:",
            "",
            ".. autosummary::",
            "",
        ]
        lines += [f"   skae.{name}" for name in sorted(shared)] + [""]
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_api_pages() -> None:
    api = DOCS / "api"
    api.mkdir(exist_ok=True)
    top_level = set(_public_names("skae"))
    entries = []
    for module_name in API_MODULES:
        names = _public_names(module_name)
        if not names:
            _API_PROBLEMS.append(f"{module_name} exports no public names")
        _write_if_changed(
            api / f"{module_name}.rst", _module_page(module_name, names, top_level)
        )
        entries.append(module_name)
    index = [
        "API reference",
        "=============",
        "",
        "Every public name, by module. The estimators are also importable from",
        "the top-level package, ``skae``, where they are documented.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
    ] + [f"   {name}" for name in entries]
    _write_if_changed(api / "index.rst", "\n".join(index) + "\n")


write_api_pages()


def _report_api_problems(app) -> None:
    from sphinx.util import logging

    logger = logging.getLogger("skae.docs")
    for problem in _API_PROBLEMS:
        logger.warning(problem)


def setup(app):
    app.connect("builder-inited", _report_api_problems)
