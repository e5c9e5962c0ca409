"""``skae series fit`` / ``skae series score`` and the series reader they use."""

import csv
import json

import numpy as np
import pytest

from skae.cli import main
from skae.cli._table_io import read_series, write_table


def series_with_spike(n_times=1200, period=30):
    rng = np.random.RandomState(0)
    values = np.sin(2 * np.pi * np.arange(n_times) / period)
    values += 0.1 * rng.randn(n_times)
    values[1000:1004] += 3.0
    return values


def write_series(path, values, *, header=True, times=True):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        if header:
            writer.writerow((["time"] if times else []) + ["value"])
        for i, value in enumerate(values):
            writer.writerow(([f"t{i:05d}"] if times else []) + [repr(float(value))])


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_fit_on_the_normal_rows_then_score_every_time_point(tmp_path, capsys):
    values = series_with_spike()
    write_series(tmp_path / "series.csv", values)
    model, scores = tmp_path / "model.skae", tmp_path / "scores.csv"
    args = ["--time-column", "time"]
    assert (
        main(
            [
                "series",
                "fit",
                str(tmp_path / "series.csv"),
                "--save",
                str(model),
                "--train-rows",
                "800",
                "--window",
                "30",
                *args,
            ]
        )
        == 0
    )
    fitted = last_json(capsys)
    assert fitted["window"] == 30 and fitted["n_times"] == 800
    assert (
        main(
            [
                "series",
                "score",
                str(tmp_path / "series.csv"),
                "--load",
                str(model),
                "--output",
                str(scores),
                *args,
            ]
        )
        == 0
    )
    report = last_json(capsys)
    with open(scores) as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 1200 and rows[0]["time"] == "t00000"
    score = np.array([float(r["score"]) for r in rows])
    assert 1000 - 30 <= int(np.argmax(score)) < 1004 + 30
    flags = np.array([int(r["anomaly"]) for r in rows])
    assert report["n_flagged"] == flags.sum() > 0
    assert np.all((np.array([float(r["decision"]) for r in rows]) < 0) == (flags == 1))
    # The spike's interval is reported by its time stamps.
    assert any(start <= "t01001" <= stop for start, stop in report["intervals"])


def test_time_column_by_number_in_a_file_without_header(tmp_path):
    write_series(tmp_path / "plain.csv", [1.0, 2.0, 3.0], header=False)
    values, columns, times = read_series(tmp_path / "plain.csv", "1")
    assert columns is None and times == ["t00000", "t00001", "t00002"]
    assert values.tolist() == [[1.0], [2.0], [3.0]]
    # A header whose time cell is empty (as pandas writes it) is a header.
    (tmp_path / "pandas.csv").write_text(",0,1\nt0,1.0,2.0\nt1,3.0,4.0\n")
    values, columns, times = read_series(tmp_path / "pandas.csv", "1")
    assert columns == ["0", "1"] and times == ["t0", "t1"]
    assert values.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(ValueError, match="'t00001' is not a number"):
        read_series(tmp_path / "plain.csv")  # without --time-column, stamps are data


@pytest.mark.parametrize(
    "content, time_column, message",
    [
        ("time,value\nt0,1\nt1,2\n", "stamp", "no time column 'stamp'"),
        ("time,value\nt0,1\nt1,x\n", "time", "line 3, column 'value': 'x' is not"),
        ("time,value\nt0,1\nt1\n", "time", "line 3: 1 values, expected 2"),
        ("", "time", "holds no rows"),
    ],
)
def test_bad_files_get_one_clear_line(tmp_path, content, time_column, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(SystemExit, match=message):
        main(
            [
                "series",
                "fit",
                str(path),
                "--save",
                str(tmp_path / "m.skae"),
                "--time-column",
                time_column,
            ]
        )
    assert not (tmp_path / "m.skae").exists()


def test_a_series_shorter_than_the_window_and_a_foreign_model(tmp_path, capsys):
    write_series(tmp_path / "series.csv", series_with_spike(), times=False)
    model = tmp_path / "model.skae"
    main(
        [
            "series",
            "fit",
            str(tmp_path / "series.csv"),
            "--save",
            str(model),
            "--window",
            "30",
            "--train-rows",
            "600",
        ]
    )
    write_series(tmp_path / "short.csv", [0.0] * 10, times=False)
    output = tmp_path / "scores.csv"
    with pytest.raises(SystemExit, match="short.csv: A series of 10 time points"):
        main(
            [
                "series",
                "score",
                str(tmp_path / "short.csv"),
                "--load",
                str(model),
                "--output",
                str(output),
            ]
        )
    assert not output.exists()
    with pytest.raises(SystemExit, match="--train-rows must be in"):
        main(
            [
                "series",
                "fit",
                str(tmp_path / "series.csv"),
                "--save",
                str(model),
                "--train-rows",
                "1",
            ]
        )
    with pytest.raises(SystemExit, match="not written by 'skae series fit'"):
        other = tmp_path / "other.skae"
        from skae import SlidingWindows

        SlidingWindows(5).save(other)
        main(["series", "score", str(tmp_path / "series.csv"), "--load", str(other)])


def test_write_table_leaves_no_partial_file(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(ValueError):  # columns of unequal length fail midway
        write_table(path, ["a", "b"], [np.arange(3), np.arange(2.0)])
    assert list(tmp_path.iterdir()) == []
    write_table(path, ["a", "b"], [np.array(["x", "y"]), np.array([0.5, 1.0])])
    assert path.read_text().splitlines() == ["a,b", "x,0.5", "y,1.0"]
