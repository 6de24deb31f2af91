"""`make notebooks`: run the analyst notebooks on the published file and write each, with its charts, as a page
that opens from disk (run: python notebooks/run_notebooks.py [--out DIR]).

Each notebook runs top to bottom in its own kernel (nbclient, as tests/analysts/test_notebooks.py runs them)
against WF_MARTS (default warehouse/marts.duckdb); the executed notebook and a self-contained HTML copy (charts
inline, no script: the page's Content-Security-Policy allows none) go to warehouse/notebooks/. Only what the
dev extra already installs is needed; to edit them interactively, install JupyterLab into the venv and open
notebooks/ with WF_MARTS set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
NOTEBOOKS = ["seven_kpi_scorecard.ipynb", "culture_dashboard.ipynb"]
# no script runs and nothing loads from elsewhere; the charts are inline PNG (data: images)
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
STYLE = """body { font-family: Arial, Helvetica, sans-serif; max-width: 1100px; margin: 0 auto; padding: 16px; }
pre { background: #f0f4f5; padding: 8px; overflow-x: auto; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; } th, td { border-bottom: 1px solid #d8dde0; padding: 2px 6px; }
img { max-width: 100%; } .stream { background: none; color: #425563; }"""


def as_html(notebook, title: str) -> str:
    """The executed notebook as one page: Markdown rendered (raw HTML off), code and text escaped, pandas
    tables as pandas wrote them (values HTML-escaped), charts as inline PNG."""
    from orchestration.safe_text import html_text

    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    parts = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(markdown.render(cell.source))
            continue
        parts.append(f"<pre>{html_text(cell.source)}</pre>")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                parts.append(f'<img alt="chart" src="data:image/png;base64,{data["image/png"].strip()}">')
            elif "text/html" in data:
                parts.append(data["text/html"])
            elif "text/plain" in data:
                parts.append(f"<pre>{html_text(data['text/plain'])}</pre>")
            elif output.output_type == "stream":
                parts.append(f'<pre class="stream">{html_text(output.text)}</pre>')
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}"><title>{html_text(title)}</title>'
        f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def run(marts: Path, out: Path) -> list[Path]:
    if not marts.exists():
        raise SystemExit(f"{marts} does not exist: run `make run` first (or set WF_MARTS to a published file)")
    out.mkdir(parents=True, exist_ok=True)
    os.environ["WF_MARTS"] = str(marts)
    written = []
    for name in NOTEBOOKS:
        notebook = nbformat.read(HERE / name, as_version=4)
        NotebookClient(
            notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
        ).execute()
        nbformat.write(notebook, out / name)
        page = out / name.replace(".ipynb", ".html")
        title = notebook.cells[0].source.splitlines()[0].lstrip("# ") if notebook.cells else name
        page.write_text(as_html(notebook, title), encoding="utf-8")
        written.append(page)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "warehouse" / "notebooks")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))
    from orchestration.resources import Settings

    for page in run(Settings.from_env().marts, args.out):
        print(f"Open {page.as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
