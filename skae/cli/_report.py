"""A self-contained HTML report: text, tables and figures embedded as PNG."""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: 0.25rem 0.8rem; text-align: right; border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; }
figure { margin: 1rem 0; } img { max-width: 100%; }
figcaption { color: #555; font-size: 0.9rem; }
"""


class HtmlReport:
    """Collects sections and writes one HTML file with every figure inside.

    Figures are also saved as PNG files beside the report.

    Parameters
    ----------
    folder : path-like
        Where the report and the figures go (created if missing).
    title : str
        The page title.
    """

    def __init__(self, folder: str | os.PathLike, title: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.title = title
        self.parts: list[str] = []
        self.figures: list[Path] = []

    def heading(self, text: str) -> None:
        """Start a section."""
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str) -> None:
        """Add a paragraph of plain text."""
        self.parts.append(f"<p>{html.escape(text)}</p>")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        """Add a table of already formatted cells."""
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in rows
        )
        self.parts.append(f"<table><tr>{head}</tr>{body}</table>")

    def figure(self, figure, name: str, caption: str) -> Path:
        """Embed a matplotlib figure, save it as ``name.png`` and close it."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        plt.close(figure)
        png = buffer.getvalue()
        path = self.folder / f"{name}.png"
        path.write_bytes(png)
        self.figures.append(path)
        encoded = base64.b64encode(png).decode("ascii")
        self.parts.append(
            f'<figure><img alt="{html.escape(caption)}" '
            f'src="data:image/png;base64,{encoded}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        return path

    def write(self, name: str = "report.html") -> Path:
        """Write the page (atomically: a temporary file moved into place)."""
        page = (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>\n"
            + "\n".join(self.parts)
            + "\n</body></html>\n"
        )
        path = self.folder / name
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, path)
        return path
