"""The repeated-split estimate of ``benchmarks/select_outlier_defaults.py``."""

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def protocol():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("select_outlier_defaults")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_repeated_splits_score_the_pick_on_the_other_half(protocol):
    sets = [f"set{i}" for i in range(6)]
    figures = {
        "good": (0.9, 0.5),
        "lucky": (0.5, 0.1),  # but on set0, where it looks best
        "twin": (0.9, 0.5),  # a peer equal to "good" everywhere
        "precise": (0.7, 0.6),  # a peer behind "good" in ROC-AUC, ahead in AP
    }
    table = {
        (s, label): {"roc_auc": auc, "ap": ap}
        for s in sets
        for label, (auc, ap) in figures.items()
    }
    table["set0", "lucky"] = {"roc_auc": 1.0, "ap": 1.0}
    pool = {"good": ("a",), "lucky": ("b",)}

    def choose(selected, pool):
        # Fooled whenever set0 is among the sets it chooses on.
        return "lucky" if "set0" in selected else "good"

    n = 400
    rows, picks = protocol.repeated_splits(
        table, sets, pool, ["twin", "precise"], choose, n_splits=n
    )
    good, lucky = picks["good"] / n, picks["lucky"] / n
    assert picks["good"] + picks["lucky"] == n and 0.3 < good < 0.7
    twin, precise = rows
    # "lucky" is scored on the other half only, without set0: behind both
    # peers in everything. "good" ties its twin (half a win) and beats
    # "precise" in ROC-AUC and rank, never in AP.
    assert float(twin["P(ROC-AUC ahead)"]) == pytest.approx(good / 2, abs=1e-3)
    assert float(twin["P(AP ahead)"]) == pytest.approx(good / 2, abs=1e-3)
    assert float(twin["P(rank ahead)"]) == pytest.approx(good / 2, abs=1e-3)
    assert float(twin["mean ROC-AUC diff"]) == pytest.approx(-0.4 * lucky, abs=1e-4)
    assert float(precise["P(ROC-AUC ahead)"]) == pytest.approx(good, abs=1e-3)
    assert float(precise["P(rank ahead)"]) == pytest.approx(good, abs=1e-3)
    assert float(precise["P(AP ahead)"]) == 0.0
