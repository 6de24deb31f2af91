"""Return text made inert wherever the warehouse writes it: the one place for each output's rule.

Partners' returns are untrusted text, and the warehouse writes that text into HTML (the Great Expectations
Data Docs, the documentation index), Markdown (partner feedback, the Dagster asset check) and text a
spreadsheet may open (CSV, the published reasons). Each writer passes return text through one of these:

- `spreadsheet_cell`: a cell a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab
  or a carriage return, as received or after leading spaces) is prefixed with a single quote, as OWASP
  recommends for CSV injection; the spreadsheet then shows the text, quote hidden, and runs nothing.
- `csv_text`: CSV as OWASP recommends: every cell through `spreadsheet_cell`, every field quoted, quotes
  doubled (the csv module), CRLF line ends as Excel writes them.
- `html_text`: HTML-escaped text (quotes too, so it is safe in an attribute as well); `html_escaped` does it
  to every string of a nested structure, neutralised for a spreadsheet first (a table copied from a page
  into a spreadsheet runs nothing).
- `markdown_code`: return text as a Markdown code span, which every CommonMark or GitHub viewer shows
  literally: no link, autolink, image, tag or emphasis; a `|` cannot end a table cell; the text is
  neutralised for a spreadsheet first, so a table pasted from a viewer runs nothing either.
- `html_page`: a page of the warehouse's own with a Content-Security-Policy that lets no script run.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: the first characters a spreadsheet treats as a formula
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Our own pages hold no script: a policy that runs none, loads nothing from elsewhere, and keeps inline CSS.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'"


def formula_like(text: str) -> bool:
    """True where a spreadsheet would read the text as a formula: as received, or once leading spaces go."""
    return text.startswith(FORMULA_START) or text.lstrip(" ").startswith(FORMULA_START)


def spreadsheet_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text (prefixed with ' when formula-like); other values unchanged."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def one_line(text: str) -> str:
    """Tabs, carriage returns, line feeds and other control characters as one space each run: a line of
    return text stays one line (and one cell of a tab-separated file)."""
    return _CONTROL.sub(" ", text)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text for a spreadsheet: cells neutralised, every field quoted, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else spreadsheet_cell(cell) for cell in row])
    return out.getvalue()


def html_text(value: object) -> str:
    """Text for HTML content or a quoted attribute: &, <, >, " and ' escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def html_escaped(value: object) -> object:
    """Every string inside lists, tuples and dicts neutralised for a spreadsheet and HTML-escaped (keys
    kept): data for a renderer that inserts values into HTML table cells as they are."""
    if isinstance(value, str):
        return html_text(spreadsheet_cell(value))
    if isinstance(value, dict):
        return {key: html_escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(html_escaped(item) for item in value)
    return value


def markdown_code(value: object, table_cell: bool = True) -> str:
    """Return text as a Markdown code span (literal in every viewer), on one line and neutralised for a
    spreadsheet. The fence is one backtick longer than the longest run of backticks in the text; in a table
    cell a `|` is escaped (GitHub's tables read `\\|` before the code span, so it shows as `|`)."""
    text = one_line(str(spreadsheet_cell("" if value is None else str(value))))
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    if table_cell:
        text = text.replace("|", "\\|")
    pad = " " if text[0] in "` " or text[-1] in "` " else ""  # viewers strip one space each side
    return f"{fence}{pad}{text}{pad}{fence}"


def html_page(title: str, body: str) -> str:
    """A whole page of the warehouse's own: escaped title, UTF-8, and a policy under which no script runs.
    `body` is HTML the caller built, with every piece of data in it passed through html_text."""
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        f"<title>{html_text(title)}</title></head>\n<body>\n{body}</body>\n</html>\n"
    )
