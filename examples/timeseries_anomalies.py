"""Anomalies in a long time series
===============================

Anomalies in a long series: fit on its normal part, score every time point.

The workflow:

1. fit a TimeSeriesOutlierDetector on a stretch known to be normal; it picks
   the window length from that stretch (its dominant period), cuts it into
   overlapping windows and fits the default reconstruction detector to them;
2. score every time point of the rest of the series (the mean score of the
   windows covering it), and flag the points above the threshold;
3. report the flagged intervals and where the worst point is, against the
   true anomaly, and draw the series above its score.

Data: a UCR anomaly archive series (``--ucr-id``, from ``$SKAE_DATA/timeseries``
or ``../shared/data/timeseries``), whose training prefix is free of anomalies;
without the data, or with ``--data synthetic``, a noisy periodic signal with a
burst, a level shift and a faster stretch injected after its normal part.

Run it from the repository root::

    python examples/timeseries_anomalies.py --output figures/
"""

import argparse
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from skae import (  # noqa: E402
    DenseAutoencoder,
    ReconstructionOutlierDetector,
    TimeSeriesOutlierDetector,
)
from skae.plotting import SeriesScoreDisplay  # noqa: E402

DATA = Path(
    os.environ.get("SKAE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
UCR = DATA / "timeseries" / "ucr_anomaly" / "series"


def synthetic():
    """A noisy periodic signal; anomalies only after the first 3 000 points."""
    rng = np.random.RandomState(0)
    t = np.arange(6000)
    series = np.sin(2 * np.pi * t / 60) + 0.5 * np.sin(2 * np.pi * t / 20)
    series += 0.1 * rng.randn(len(t))
    label = np.zeros(len(t), dtype=np.uint8)
    for begin, end, change in [
        (3600, 3610, lambda s: s + 2.0),
        (4400, 4520, lambda s: s + 1.0),
        (5200, 5320, lambda s: np.sin(2 * np.pi * t[5200:5320] / 15)),
    ]:
        series[begin:end] = change(series[begin:end])
        label[begin:end] = 1
    return "synthetic", series, label, 3000


def ucr(series_id: int):
    path = next(UCR.glob(f"{series_id:03d}_UCR_Anomaly_*.npz"))
    data = np.load(path)
    name = path.stem.split("_")[3]
    return name, data["value"], data["label"], int(data["train_end"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["ucr", "synthetic"], default="ucr")
    parser.add_argument("--ucr-id", type=int, default=13)
    parser.add_argument("--output", type=Path, default=Path("figures"))
    parser.add_argument("--quick", action="store_true", help="a tiny model")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    if args.data == "ucr" and UCR.is_dir():
        name, series, label, train_end = ucr(args.ucr_id)
    else:
        if args.data == "ucr":
            print(f"no UCR data at {UCR}: using a synthetic series")
        name, series, label, train_end = synthetic()
    print(f"{name}: {len(series)} points, normal training part {train_end}")

    detector = None  # the default reconstruction detector of windows
    if args.quick:  # a few epochs only, for a smoke run
        detector = ReconstructionOutlierDetector(DenseAutoencoder(4, epochs=3))
    model = TimeSeriesOutlierDetector(detector, random_state=0)
    model.fit(series[:train_end])
    print(f"window chosen from the training part: {model.windows_.window_} points")

    rest, truth = series[train_end:], label[train_end:]
    scores = -model.score_samples(rest)
    worst = train_end + int(np.argmax(scores))
    begin, end = np.flatnonzero(label)[[0, -1]]
    print(f"true anomaly: [{begin}, {end + 1}); worst point: {worst}")
    print(f"within 100 points of the anomaly: {begin - 100 <= worst < end + 101}")
    intervals = model.anomalous_intervals(rest) + train_end
    print(f"flagged intervals ({len(intervals)}):")
    for start, stop in intervals[:10]:
        print(f"  [{start}, {stop})")

    fig = SeriesScoreDisplay.from_estimator(
        model, rest, anomalies=truth, start=train_end
    ).figure_
    fig.suptitle(f"{name}: anomaly score after the normal part")
    fig.tight_layout()
    fig.savefig(args.output / "timeseries_scores.png", dpi=100)
    print(f"figure written to {args.output}/timeseries_scores.png")


if __name__ == "__main__":
    main()
