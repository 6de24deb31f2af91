"""orchestration/safe_text.py: each output's rule, on the cases that break naive escaping."""

from __future__ import annotations

import csv
import html
import io

import pytest
from markdown_it import MarkdownIt

from orchestration.safe_text import csv_text, html_escaped, html_page, markdown_code, one_line, spreadsheet_cell

FORMULAS = ["=1+1", "+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "  =1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_cells_get_a_quote_in_front(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Band 5", "a=b", "", "O'Neil", 3, -2.5, None])
def test_other_cells_are_unchanged(value):
    assert spreadsheet_cell(value) == value


def test_csv_quotes_every_field_and_reads_back_as_text():
    written = csv_text([["name", "n"], ['=HYPERLINK("http://x","y")', 1], ['a,"b"\nc', None]])
    assert written.startswith('"name","n"\r\n')
    rows = list(csv.reader(io.StringIO(written, newline="")))
    assert rows == [["name", "n"], ['\'=HYPERLINK("http://x","y")', "1"], ['a,"b"\nc', ""]]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "![x](https://evil.example/x.png)",
        "<https://evil.example>",
        "a ` b `` c | d",
        "`<img src=x onerror=alert(1)>`",
        "**bold** _it_ &amp; &lt;",
    ],
)
def test_a_markdown_code_span_renders_the_text_literally_even_in_a_table(text):
    rendered = MarkdownIt("commonmark").enable("table").render(f"| a |\n|---|\n| {markdown_code(text)} |\n")
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered and "<strong" not in rendered
    code = rendered.split("<code>", 1)[1].split("</code>", 1)[0]
    assert html.unescape(code) == text


def test_markdown_code_is_one_line_and_neutralised():
    assert markdown_code("=1\n+2", table_cell=False) == "`'=1 +2`"
    assert markdown_code(None) == "" and one_line("a\t\r\nb") == "a b"


def test_html_escaped_reaches_nested_values_and_neutralises_them():
    assert html_escaped({"v": ["<b>", ("=1", 2)], "n": None}) == {"v": ["&lt;b&gt;", ("&#x27;=1", 2)], "n": None}


def test_our_own_pages_run_no_script():
    page = html_page("<t>", "<p>x</p>")
    assert "default-src 'none'" in page and "<title>&lt;t&gt;</title>" in page and "script-src" not in page
