"""The demo's HTML report and its per-model progress bar."""

import base64
import io
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skae import DenseAutoencoder  # noqa: E402
from skae.cli._progress import EpochProgressBar  # noqa: E402
from skae.cli._report import HtmlReport  # noqa: E402


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_report_embeds_figures_escapes_text_and_saves_pngs(tmp_path):
    report = HtmlReport(tmp_path / "out", "a <b> & c")
    report.heading("Section <1>")
    report.paragraph("x < y")
    report.table(["k", "error"], [["2", "0.5"]])
    figure, ax = plt.subplots()
    ax.plot([1, 2, 3])
    path = report.figure(figure, "line", "a line")
    page = report.write().read_text()
    assert "<title>a &lt;b&gt; &amp; c</title>" in page
    assert "<h2>Section &lt;1&gt;</h2>" in page and "<p>x &lt; y</p>" in page
    assert "<td>0.5</td>" in page
    encoded = page.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(encoded) == path.read_bytes()
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "line.png",
        "report.html",
    ]  # no partial file left behind
    assert not plt.fignum_exists(figure.number)


def test_progress_bar_redraws_in_place_on_a_terminal(monkeypatch, small_X):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = EpochProgressBar("model", 4)
    DenseAutoencoder(2, epochs=4, early_stopping=False, callbacks=[bar]).fit(small_X)
    text = terminal.getvalue()
    # Drawn at the start and after each of the four epochs, then the summary.
    assert re.fullmatch(
        r"(\rmodel \[[#.]{30}\] [0-4]/4){5}\rmodel \[#{30}\] 4 epochs, [0-9.]+ s\n",
        text,
    )
    assert "] 2/4" in text and "#" * 15 + "." * 15 in text


def test_progress_bar_writes_one_line_elsewhere(monkeypatch, small_X):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    bar = EpochProgressBar("model", 10)
    DenseAutoencoder(2, epochs=3, early_stopping=False, callbacks=[bar]).fit(small_X)
    assert log.getvalue().startswith("model: 3 epochs, ")
    assert log.getvalue().count("\n") == 1
