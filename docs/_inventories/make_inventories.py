"""Write the intersphinx inventories of scikit-learn, NumPy and Keras, offline.

The documentation build has no network, so ``docs/conf.py`` points
``intersphinx_mapping`` at the files this script writes next to it. They are
built by introspecting the *installed* packages and use each site's URL scheme:

- scikit-learn: ``modules/generated/<full name>.html#<full name>`` for every
  public class and function of the public modules (and the classes' public
  methods, anchored in their class's page);
- NumPy: ``reference/generated/<full name>.html#<full name>`` for the public
  functions, classes and ``ndarray`` methods of ``numpy``, ``numpy.linalg``,
  ``numpy.fft`` and ``numpy.random`` (the random generators have pages of their
  own);
- Keras, which publishes no Sphinx inventory: a hand-written map of the names the
  documentation mentions to their keras.io pages.

Run it after upgrading one of the three, and commit the ``.inv`` files::

    python docs/_inventories/make_inventories.py
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_inventory(path: Path, project: str, version: str, entries) -> int:
    """Write ``entries`` (name, role, uri) as a version 2 Sphinx inventory."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = sorted({f"{name} py:{role} 1 {uri} -\n" for name, role, uri in entries})
    path.write_bytes(header.encode() + zlib.compress("".join(lines).encode(), 9))
    return len(lines)


def _public(names):
    return [name for name in names if not name.startswith("_")]


def _role(obj) -> str | None:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return None


def sklearn_entries():
    import sklearn
    from sklearn.experimental import (  # noqa: F401  (documented with the rest)
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    entries = []
    modules = ["sklearn"]
    for info in pkgutil.iter_modules(sklearn.__path__):
        if not info.name.startswith("_") and info.name not in ("tests", "externals"):
            modules.append(f"sklearn.{info.name}")
    modules += ["sklearn.feature_extraction.text", "sklearn.feature_extraction.image"]
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        entries.append(
            (module_name, "module", f"api/{module_name}.html#module-{module_name}")
        )
        for name in _public(getattr(module, "__all__", [])):
            try:
                obj = getattr(module, name, None)
            except ImportError:
                continue
            role = _role(obj)
            if role is None or module_name == "sklearn":
                continue
            full = f"{module_name}.{name}"
            page = f"modules/generated/{full}.html"
            entries.append((full, role, f"{page}#{full}"))
            if role == "class":
                for member, value in vars(obj).items():
                    if member.startswith("_") or not callable(value):
                        continue
                    entries.append(
                        (f"{full}.{member}", "method", f"{page}#{full}.{member}")
                    )
    return sklearn.__version__, entries


def numpy_entries():
    import numpy as np

    generated = "reference/generated"
    entries = [("numpy", "module", "reference/index.html#module-numpy")]
    for module_name in ("numpy", "numpy.linalg", "numpy.fft", "numpy.random"):
        module = importlib.import_module(module_name)
        for name in _public(getattr(module, "__all__", dir(module))):
            obj = getattr(module, name, None)
            role = _role(obj)
            if role is None:
                continue
            full = f"{module_name}.{name}"
            if module_name == "numpy.random" and role == "function":
                # The legacy functions are documented as RandomState methods.
                uri = f"reference/random/generated/{full}.html#{full}"
            elif module_name == "numpy.random":
                continue
            elif role == "class" and issubclass(obj, np.generic):
                uri = f"reference/arrays.scalars.html#{full}"
            else:
                uri = f"{generated}/{full}.html#{full}"
            entries.append((full, role, uri))
    for member, value in vars(np.ndarray).items():
        if not member.startswith("_") and callable(value):
            full = f"numpy.ndarray.{member}"
            entries.append((full, "method", f"{generated}/{full}.html#{full}"))
    entries += [
        (
            "numpy.random.Generator",
            "class",
            "reference/random/generator.html#numpy.random.Generator",
        ),
        (
            "numpy.random.RandomState",
            "class",
            "reference/random/legacy.html#numpy.random.RandomState",
        ),
        (
            "numpy.random.default_rng",
            "function",
            "reference/random/generator.html#numpy.random.default_rng",
        ),
        ("numpy.nan", "data", "reference/constants.html#numpy.nan"),
        ("numpy.inf", "data", "reference/constants.html#numpy.inf"),
    ]
    return np.__version__, entries


# keras.io has one page per topic; the anchors are the page's own headings.
KERAS_PAGES = {
    ("keras", "module"): "",
    ("keras.Model", "class"): "models/model/",
    ("keras.Sequential", "class"): "models/sequential/",
    ("keras.Model.fit", "method"): "models/model_training_apis/#fit-method",
    ("keras.Model.compile", "method"): "models/model_training_apis/#compile-method",
    (
        "keras.saving.load_model",
        "function",
    ): "models/model_saving_apis/model_saving_and_loading/#loadmodel-function",
    (
        "keras.saving.save_model",
        "function",
    ): "models/model_saving_apis/model_saving_and_loading/#savemodel-function",
    ("keras.layers", "module"): "layers/",
    ("keras.layers.Layer", "class"): "layers/base_layer/",
    ("keras.layers.Dense", "class"): "layers/core_layers/dense/",
    ("keras.layers.Conv2D", "class"): "layers/convolution_layers/convolution2d/",
    ("keras.layers.LSTM", "class"): "layers/recurrent_layers/lstm/",
    ("keras.layers.GRU", "class"): "layers/recurrent_layers/gru/",
    ("keras.callbacks", "module"): "callbacks/",
    ("keras.callbacks.Callback", "class"): "callbacks/base_callback/",
    ("keras.callbacks.EarlyStopping", "class"): "callbacks/early_stopping/",
    ("keras.optimizers", "module"): "optimizers/",
    ("keras.optimizers.Optimizer", "class"): "optimizers/",
    ("keras.optimizers.Adam", "class"): "optimizers/adam/",
    ("keras.losses", "module"): "losses/",
    ("keras.ops", "module"): "ops/",
    ("keras.random", "module"): "random/",
    ("keras.backend", "module"): "utils/backend_utils/",
    (
        "keras.utils.set_random_seed",
        "function",
    ): "utils/python_utils/#setrandomseed-function",
    ("keras.regularizers", "module"): "layers/regularizers/",
    ("keras.initializers", "module"): "layers/initializers/",
}


def keras_entries():
    import keras

    return keras.__version__, [
        (name, role, uri) for (name, role), uri in KERAS_PAGES.items()
    ]


def main() -> None:
    for project, file_name, make in (
        ("scikit-learn", "sklearn.inv", sklearn_entries),
        ("NumPy", "numpy.inv", numpy_entries),
        ("Keras", "keras.inv", keras_entries),
    ):
        version, entries = make()
        count = write_inventory(HERE / file_name, project, version, entries)
        print(f"{file_name}: {count} entries ({project} {version})")


if __name__ == "__main__":
    main()
