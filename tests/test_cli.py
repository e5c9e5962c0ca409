"""What every ``skae`` command shares: where it writes, and its help text."""

import re
import subprocess
import sys

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
