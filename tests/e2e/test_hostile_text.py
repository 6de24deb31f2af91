"""Hostile text in returns runs nowhere the warehouse writes it (issue 18): HTML, Markdown, notebooks, CSV.

One real refresh (real ingestion, GX, dbt, publication) of a small landing folder whose returns carry script
payloads (`<script>`, `<img onerror>`, `"><svg onload>`, `javascript:` and Markdown links, bare URLs) in an
allow-listed column (GX holds the return back), a crosswalked column (loaded with a warning), the register's
organisation names (published), a header and a file name, and formula payloads (`=HYPERLINK`, `@`, `-`, `+`,
a tab) in a text column; then `make docs` over it. Every HTML page that leaves (the GX Data Docs, the docs
index pages, the dbt site, the partner feedback as a Markdown viewer renders it) is opened in Debian's
headless Chromium: no dialog, no payload script (it would set window.__pwned), no console or page error, no
request the payload asked for, and the payload shown as text. External CDN scripts the GX pages load are
answered by a stub (the machine is offline), so any error left is the page's own.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import io
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.boardpack import pack_path
from orchestration.safe_text import FORMULA_START, csv_text, formula_like
from tests.conftest import PROJECT_ROOT, Workspace, published_tables
from tests.e2e.test_dagster_ui import CHROMIUM, CHROMIUM_ARGS

DEMO = PROJECT_ROOT / "seeds" / "returns"
PAYLOADS = {  # each sets window.__pwned to its tag if it ever runs
    "script": "<script>window.__pwned='{tag}';alert('{tag}')</script>",
    "img": "<img src=x onerror=\"window.__pwned='{tag}';alert('{tag}')\">",
    "svg": "\"><svg onload=\"window.__pwned='{tag}';alert('{tag}')\">",
    "js_link": "javascript:window.__pwned='{tag}'",
    "md_link": "[click me](javascript:window.__pwned='{tag}')",
    "md_image": "![x](https://evil.example/{tag}.png)",
    "url": "https://evil.example/{tag}",
}
FORMULAS = ['=HYPERLINK("https://evil.example/f","click")', "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "+1+1", "\t=1+1"]
TERMINAL = "\x1b]0;pwned\x07\x1b[2J"  # sets a terminal's title and clears its screen, if printed as it is
FILE_PAYLOAD = f"<img src=x onerror=\"window.__pwned='file';alert('file')\">{TERMINAL}"
HEADER_PAYLOAD = "<svg onload=\"window.__pwned='header'\">"
SEEN_AS_TEXT = [p.format(tag="esr") for p in PAYLOADS.values()]  # GX shows these on the ESR validation page
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (File not found)"
STUB_JS = """(function () {
  if (window.jQuery) return;
  const chain = new Proxy(function () {}, {get: (t, k) => (k === "then" ? undefined : chain), apply: () => chain});
  window.jQuery = window.$ = window.vegaEmbed = chain;
})();"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)"
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _with(rows: list[dict[str, str]], column: str, values: list[str]) -> list[dict[str, str]]:
    return [{**row, column: values[i]} if i < len(values) else row for i, row in enumerate(rows)]


def hostile_landing(landing: Path) -> None:
    tagged = {tag: [p.format(tag=f"{tag}-{name}") for name, p in PAYLOADS.items()] for tag in ("org", "pwr")}
    register = _rows(DEMO / "ics_partners" / "2024-03" / "ics.csv")
    # every fifth organisation after RWE gets a payload as its name (RWE keeps its own)
    named = dict(zip([r["org_code"] for r in register[2::5]], tagged["org"], strict=False))
    register = [{**r, "org_name": named[r["org_code"]]} if r["org_code"] in named else r for r in register]
    _write(landing / "ics_partners" / "2024-03" / "ics.csv", register)
    pwr = _rows(DEMO / "nhs_pwr" / "2024-03" / "RWE.csv")
    # crosswalked column (WARN: loaded) and an unknown extra column whose header is a payload (WARN)
    _write(
        landing / "nhs_pwr" / "2024-03" / "RWE.csv",
        [{**r, HEADER_PAYLOAD: "x"} for r in _with(pwr, "staff_group", tagged["pwr"])],
    )
    _write(
        landing / "nhs_pwr" / "2024-03" / "RT5.csv",
        _with(_rows(DEMO / "nhs_pwr" / "2024-03" / "RT5.csv"), "staff_group", FORMULAS),
    )
    _write(landing / "nhs_pwr" / "2024-03" / f"{FILE_PAYLOAD}.csv", pwr)  # a file name no organisation has
    # allow-listed column: GX holds the return back and its Data Docs list the unexpected values
    esr = _rows(DEMO / "nhs_esr_staff" / "2024-03" / "RWE.csv")[:30]
    _write(landing / "nhs_esr_staff" / "2024-03" / "RWE.csv", _with(esr, "afc_band", SEEN_AS_TEXT))


class Hostile:
    def __init__(self, space: Workspace, result, docs, progress, summary: str) -> None:
        self.space, self.result, self.docs, self.progress, self.summary = space, result, docs, progress, summary
        self.warehouse_dir = space.warehouse.parent


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Hostile:
    from orchestration.docs import build_docs
    from orchestration.progress import refresh_progress
    from orchestration.refresh import run_refresh, summary
    from orchestration.resources import Settings

    root = tmp_path_factory.mktemp("hostile")
    hostile_landing(root / "landing")
    space = Workspace(root / "landing", root / "warehouse" / "warehouse.duckdb", root / "warehouse" / "marts.duckdb")
    progress = refresh_progress(None)
    with space.environment():
        result = run_refresh([], progress=progress)
    assert result.success, "the refresh of the hostile landing folder failed"
    settings = Settings.from_env({"WF_WAREHOUSE": str(space.warehouse), "WF_MARTS": str(space.marts)})
    printed = summary(settings, result.run_id, 1.0, result.success)
    return Hostile(space, result, build_docs(settings), progress, printed)


# --- what a viewer renders -------------------------------------------------------------------------------


def _markdown_html(text: str) -> str:
    """Markdown as a viewer renders it: CommonMark with GitHub's tables (markdown-it), and mistune with its
    bare-URL autolinks, one after the other."""
    import mistune
    from markdown_it import MarkdownIt

    commonmark = MarkdownIt("commonmark").enable("table").render(text)
    autolinked = mistune.create_markdown(escape=False, plugins=["table", "url"])(text)
    return f"<!doctype html><meta charset='utf-8'><body>{commonmark}<hr>{autolinked}</body>"


LIVE_TAGS = re.compile(r"<(a|img|script|svg|iframe|object|embed)\b", re.I)


def _feedback_files(hostile: Hostile) -> list[Path]:
    return sorted((hostile.warehouse_dir / "feedback").rglob("*.md"))


def test_the_payloads_reached_every_writer(hostile):
    """The test is only worth something if the hostile text did reach each output."""
    statuses = dict(
        hostile.space.warehouse_query(
            "select file_name, status from audit.load_log where file_name like 'nhs_%' or file_name like 'ics%'"
        )
    )
    assert statuses["nhs_esr_staff/2024-03/RWE.csv"] == "quarantined"  # afc_band payloads: GX ERROR
    assert f"nhs_pwr/2024-03/{FILE_PAYLOAD}.csv" in statuses
    names = {n for (n,) in hostile.space.marts_query("select org_name from dim_organisation")}
    assert PAYLOADS["script"].format(tag="org-script") in names  # HTML payloads are data: published as sent
    docs_text = "".join(p.read_text(encoding="utf-8") for p in (hostile.warehouse_dir / "docs").rglob("*.html"))
    assert "window.__pwned=&#x27;esr&#x27;" in docs_text  # GX listed the unexpected values, escaped
    feedback = "".join(p.read_text(encoding="utf-8") for p in _feedback_files(hostile))
    for needle in ("__pwned='esr'", "__pwned='pwr-script'", "__pwned='header'", "HYPERLINK"):
        assert needle in feedback, needle


def test_no_generated_page_holds_a_payload_as_markup(hostile):
    """Static check of every HTML file: no payload appears unescaped (raw `<script>`, `<img`, `<svg`)."""
    pages = sorted((hostile.warehouse_dir / "docs").rglob("*.html"))
    assert len(pages) >= 8
    raw = re.compile(r"<(script|img|svg)\b[^<]*__pwned", re.I)
    assert [p for p in pages if raw.search(p.read_text(encoding="utf-8"))] == []


def test_feedback_renders_no_link_tag_or_formula(hostile):
    files = _feedback_files(hostile)
    assert len(files) >= 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        rendered = _markdown_html(text)
        assert LIVE_TAGS.findall(rendered) == [], (path, LIVE_TAGS.findall(rendered))
        # every table cell as a spreadsheet would read it, once the viewer has rendered it: no formula
        for cell in re.findall(r"<td>(.*?)</td>", rendered, re.S):
            assert not formula_like(html.unescape(re.sub(r"</?code>", "", cell)).strip()), (path, cell)
    held = (hostile.warehouse_dir / "feedback" / "nhs_esr_staff" / "2024-03" / "RWE.md").read_text(encoding="utf-8")
    assert PAYLOADS["script"].format(tag="esr") in held  # the text itself is kept, inside a code span


def test_dagster_check_metadata_renders_no_link_or_tag(hostile):
    evaluations = [
        e.event_specific_data
        for e in hostile.result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.asset_key.path[0] == "raw"
    ]
    failing = [e.metadata["failing_returns"].value for e in evaluations if not e.passed]
    assert len(failing) >= 2 and any("__pwned='esr'" in text for text in failing)
    held = [
        e.event_specific_data.materialization.metadata["quarantined"].value
        for e in hostile.result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and "quarantined" in e.event_specific_data.materialization.metadata
    ]
    assert any("__pwned='esr'" in text for text in held)
    for text in failing + held:
        assert LIVE_TAGS.findall(_markdown_html(text)) == []


def test_published_reasons_keep_one_line_per_problem_each_starting_with_its_severity(hostile):
    reasons = [
        r for (r,) in hostile.space.marts_query("select reasons from mart_return_status where reasons is not null")
    ]
    lines = [line for text in reasons for line in text.split("\n")]
    assert any("HYPERLINK" in line for line in lines) and any("__pwned='esr'" in line for line in lines)
    assert [line for line in lines if not re.match(r"(ERROR|WARN) ", line)] == []
    assert [line for line in lines if re.search(r"[\x00-\x1f\x7f]", line)] == []


def test_an_export_of_every_published_table_runs_no_formula(hostile):
    """csv_text is the export every CSV goes through: read back as a spreadsheet would, no cell is a formula,
    and what was neutralised is the text with a quote in front."""
    cells = neutralised = 0
    with duckdb.connect(str(hostile.space.marts), read_only=True) as con:
        for table, columns in published_tables(hostile.space.marts).items():
            text = [c for c, data_type in columns if data_type == "VARCHAR"]  # numbers stay numbers
            rows = con.execute(f'select {", ".join(chr(34) + c + chr(34) for c in text)} from "{table}"').fetchall()
            written = csv_text([text, *rows, FORMULAS])
            for row in csv.reader(io.StringIO(written, newline="")):
                cells += len(row)
                assert [c for c in row if formula_like(c)] == [], table
                neutralised += sum(1 for c in row if c.startswith("'") and formula_like(c[1:]))
    assert cells > 1000 and neutralised >= len(FORMULAS) * 5


def test_notebook_tables_escape_html_and_skip_mathjax(hostile, monkeypatch):
    """The notebooks' setup cell, run on the hostile marts: a table of organisation names is escaped and
    marked for MathJax to leave alone."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_notebooks", PROJECT_ROOT / "notebooks" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("WF_MARTS", str(hostile.space.marts))
    namespace: dict = {}
    exec(module.SETUP, namespace)  # the notebooks' own first cell
    table = namespace["q"]("select org_name from dim_organisation")._repr_html_()
    namespace["con"].close()
    assert "tex2jax_ignore" in table and "&lt;script&gt;window.__pwned=" in table
    assert LIVE_TAGS.findall(table.split("</style>", 1)[1]) == []


# --- every page in headless Chromium --------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reports what failed; no access log on stderr
        pass


@pytest.fixture(scope="module")
def served(hostile: Hostile, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The warehouse's docs folder and the feedback as a viewer renders it, served on 127.0.0.1 (the dbt
    site's index.html needs a web server); yields the base URL and every page's path."""
    root = hostile.warehouse_dir
    for path in _feedback_files(hostile):
        rendered = root / "docs" / "rendered_feedback" / path.relative_to(root / "feedback").with_suffix(".html")
        rendered.parent.mkdir(parents=True, exist_ok=True)
        rendered.write_text(_markdown_html(path.read_text(encoding="utf-8")), encoding="utf-8")
    # the board pack the publication built (orchestration/boardpack), opened as a board member would
    shutil.copyfile(pack_path(hostile.space.marts), root / "docs" / "board_pack.html")
    pages = sorted(p.relative_to(root / "docs").as_posix() for p in (root / "docs").rglob("*.html"))
    handler = functools.partial(_QuietHandler, directory=str(root / "docs"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _harness_noise(message: str) -> bool:
    """A console error the test itself causes: a CDN script answered by the stub fails its integrity hash."""
    return message.startswith("Failed to find a valid digest in the 'integrity' attribute for resource 'https://")


def _visit(context, url: str) -> dict:
    page = context.new_page()
    seen: dict = {"dialogs": [], "console": [], "errors": [], "failed": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("response", lambda r: seen["failed"].append(r.url) if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(400)  # onerror and onload handlers, timers
    seen["pwned"] = page.evaluate("window.__pwned === undefined ? null : String(window.__pwned)")
    seen["text"] = page.text_content("body") or ""
    page.close()
    return seen


def test_every_page_opens_in_chromium_and_runs_no_payload(served, browser):
    base, pages = served
    external: list[str] = []

    def answer(route) -> None:  # offline machine: CDN assets answered by a stub, and remembered
        external.append(route.request.url)
        kind = route.request.resource_type
        body = STUB_JS if kind == "script" else ""
        route.fulfill(status=200, body=body, content_type="text/javascript" if kind == "script" else "text/css")

    context = browser.new_context()
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), answer)
    try:
        results = {page: _visit(context, base + page) for page in pages}
    finally:
        context.close()
    assert any(p.startswith("gx/nhs_esr_staff/validations/") for p in results)
    assert any(p.startswith("rendered_feedback/") for p in results) and "index.html" in results
    for page, seen in results.items():
        assert seen["dialogs"] == [], page
        assert seen["pwned"] is None, page
        # dbt's docs site asks for three URLs that are its own unrendered templates ({{ getIcon(...) }},
        # ${require(...)}): a bug of dbt's, answered 404; every other failed request is a finding
        own = [url for url in seen["failed"] if "%7B" in url]
        assert [url for url in seen["failed"] if url not in own] == [], page
        console = [m for m in seen["console"] if not _harness_noise(m)]
        for _ in own:  # each of those 404s logs one "Failed to load resource" error
            if NOT_FOUND in console:
                console.remove(NOT_FOUND)
        assert console == [] and seen["errors"] == [], (page, seen["console"], seen["errors"])
    assert [url for url in external if "evil.example" in url] == []
    [validation] = [s for p, s in results.items() if p.startswith("gx/nhs_esr_staff/validations/")]
    for payload in SEEN_AS_TEXT:  # shown as text, exactly as the partner sent it
        assert payload in validation["text"], payload
    feedback = results["rendered_feedback/nhs_esr_staff/2024-03/RWE.html"]["text"]
    assert PAYLOADS["script"].format(tag="esr") in feedback
    pack = results["board_pack.html"]["text"]  # organisation names as the partners sent them, shown as text
    assert [name for name in PAYLOADS if PAYLOADS[name].format(tag=f"org-{name}") in pack] != []


def test_the_terminal_gets_no_control_sequence_from_a_return(hostile):
    """`make run` prints progress and a summary naming files and reasons: a file name carrying terminal
    escape sequences is printed with them turned into spaces."""
    assert "onerror=\"window.__pwned='file'" in hostile.summary  # the file is named in the summary
    printed = [*hostile.progress.lines, *hostile.summary.split("\n")]
    assert len(printed) > 20
    assert [line for line in printed if re.search(r"[\x00-\x1f\x7f]", line)] == []


def test_formula_start_characters_are_owasps():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}
