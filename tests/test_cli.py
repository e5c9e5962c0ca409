"""What every ``skae`` command shares: where it writes, and its help text."""

import re
import subprocess
import sys

import numpy as np
import pytest

from skae.cli import build_parser, main
from skae.cli._help import plain_text

# Each action and the option naming the file it writes.
WRITING_ACTIONS = [
    (["detect", "fit", "data.csv"], "--save"),
    (["detect", "score", "data.csv", "--load", "model.skae"], "--output"),
    (["series", "fit", "data.csv"], "--save"),
    (["series", "score", "data.csv", "--load", "model.skae"], "--output"),
]


def destinations(tmp_path):
    """(path, message) for three places no file can be written to."""
    (tmp_path / "a-file").write_text("")
    return [
        (tmp_path / "missing" / "out", "the folder .*missing does not exist"),
        (tmp_path / "a-file" / "out", "a-file is not a folder"),
        (tmp_path, "it is a folder"),
    ]


@pytest.mark.parametrize(("action", "option"), WRITING_ACTIONS)
def test_an_unwritable_destination_stops_the_command_first(tmp_path, action, option):
    # The input files do not exist either: the destination is checked before
    # anything is read, fitted or scored, so its message comes first.
    for destination, message in destinations(tmp_path):
        with pytest.raises(SystemExit) as exit_info:
            main([*action, option, str(destination)])
        text = str(exit_info.value.code)
        assert text.startswith(f"skae {action[0]} {action[1]}: cannot write")
        assert str(destination) in text and "\n" not in text
        assert re.search(message, text)


def test_help_is_plain_text():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        text = command.format_help()
        assert "``" not in text and ":class:" not in text, name
    assert "fits a TimeSeriesOutlierDetector on" in commands["series"].format_help()


def test_plain_text_drops_roles_and_literals():
    text = "``skae x`` fits a :class:`~skae.A` or :func:`skae.b`; ``--flag``."
    assert plain_text(text) == "skae x fits a A or skae.b; --flag."


def test_python_dash_m_skae_is_the_command():
    done = subprocess.run(
        [sys.executable, "-m", "skae", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: skae ")


def test_an_error_while_writing_is_one_line(tmp_path, monkeypatch):
    from skae import _persistence
    from skae.cli import _detect, _series

    data = tmp_path / "data.csv"
    rows = np.random.RandomState(0).normal(size=(80, 3))
    data.write_text("a,b,c\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    detector, series = tmp_path / "detector.skae", tmp_path / "series.skae"
    main(["detect", "fit", str(data), "--estimator", "pca", "--n-components", "1",
          "--save", str(detector)])  # fmt: skip
    main(["series", "fit", str(data), "--window", "5", "--save", str(series)])

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_persistence, "save", full_disk)
    monkeypatch.setattr(_detect, "write_table", full_disk)
    monkeypatch.setattr(_series, "write_table", full_disk)
    out = str(tmp_path / "out")
    for args in (
        ["detect", "fit", str(data), "--estimator", "pca", "--n-components", "1",
         "--save", out],
        ["detect", "score", str(data), "--load", str(detector), "--output", out],
        ["series", "fit", str(data), "--window", "5", "--save", out],
        ["series", "score", str(data), "--load", str(series), "--output", out],
    ):  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert str(exit_info.value.code) == (
            f"skae {args[0]} {args[1]}: cannot write {out}: "
            "[Errno 28] No space left on device"
        )


def test_demo_checks_its_report_folder_and_data_before_fitting(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        # Digits would fit for seconds: the folder is checked first.
        main(["demo", "--out", str(tmp_path / "a-file" / "report")])
    assert re.fullmatch(
        r"skae demo: cannot write into .*a-file.report: .+\.",
        str(exit_info.value.code),
    )
    # Missing data files are reported without importing Keras first.
    missing = tmp_path / "no-data"
    script = (
        "import sys\nfrom skae.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit as e:\n"
        "    print(str(e.code).splitlines()[0]); print('keras' in sys.modules)\n"
    )
    args = ["demo", "--data", "mnist", "--data-home", str(missing)]
    env = {"SKAE_DATA": str(missing), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env
    )
    first, keras_imported = result.stdout.splitlines()
    assert first.startswith("skae demo: Could not find the MNIST 'train' files")
    assert keras_imported == "False"


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    # `skae detect score ... | head -1`: the rest of the output has nowhere to go.
    data = tmp_path / "data.npy"
    np.save(data, np.random.default_rng(0).normal(size=(20_000, 3)))
    model = tmp_path / "model.skae"
    fit = ["detect", "fit", str(data), "--save", str(model), "--threshold", "0"]
    main([*fit, "--estimator", "pca", "--n-components", "1"])  # flags every row
    command = [sys.executable, "-m", "skae", "detect", "score", str(data)]
    process = subprocess.Popen(
        [*command, "--load", str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().startswith("row 0: error")
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert stderr == ""
