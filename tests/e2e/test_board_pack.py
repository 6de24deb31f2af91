"""The People Board pack of the published demo (orchestration/boardpack), opened in Debian's headless Chromium.

The `demo` publication built the pack beside the published file and its dated copy; here its PDF is printed as
well (the suite's publications skip it, WF_BOARD_PACK_PDF=0). Chromium opens the HTML from disk: no console or
page error, no request but the file itself; every figure (an element carrying data-table, data-key,
data-column) equals the published cell, as a number and as the text the board reads (25.0%, never 0.25;
"suppressed", never 0). Screenshots (screen and print) are kept in test-artifacts/board-pack/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.boardpack import build_board_pack, pack_path, render
from orchestration.publish import dated_copies
from orchestration.resources import Settings
from tests.conftest import PROJECT_ROOT
from tests.e2e.test_dagster_ui import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "board-pack"
NUMBER = re.compile(r"-?[\d,]+(?:\.(\d+))?")
CORE_TABLES = {"mart_system_kpis", "mart_culture_dashboard", "mart_sickness_benchmark", "mart_return_status"}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def printed(demo, tmp_path_factory: pytest.TempPathFactory):
    """The pack rebuilt with its PDF, from the same published file."""
    return build_board_pack(demo.marts, tmp_path_factory.mktemp("board_pack") / "board_pack.html", pdf=True)


@pytest.fixture(scope="module")
def opened(printed):
    """The pack opened from disk in Chromium: (figures, requests, errors), screenshots kept as artefacts."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests, errors = [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(printed.html.as_uri(), wait_until="load")
        page.screenshot(path=str(ARTIFACTS / "board_pack.png"), full_page=True)
        for section in page.locator("section").all():
            section.screenshot(path=str(ARTIFACTS / f"section-{section.get_attribute('id')}.png"))
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / "board_pack_print.png"), full_page=True)
        figures = page.eval_on_selector_all(
            "[data-table]",
            """elements => elements.map(e => ({table: e.dataset.table, key: e.dataset.key, column: e.dataset.column,
                value: e.dataset.value, format: e.dataset.format,
                text: e.tagName.toLowerCase() === 'span' ? e.textContent : null}))""",
        )
        browser.close()
    return figures, requests, errors


def test_every_publication_keeps_a_pack_beside_the_file_and_its_dated_copy(demo):
    settings = Settings.from_env({"WF_WAREHOUSE": str(demo.warehouse), "WF_MARTS": str(demo.marts)})
    (refresh_id,) = demo.marts_query("select refresh_id from refresh_log")[0]
    html = pack_path(demo.marts)
    assert f'<meta name="refresh-id" content="{refresh_id}">' in html.read_text(encoding="utf-8")
    assert pack_path(dated_copies(settings)[-1]).read_bytes() == html.read_bytes()
    status = html.with_name(f"{demo.marts.stem}.board_pack.txt").read_text(encoding="utf-8")
    assert status.startswith(f"{refresh_id}\n{html}")


def test_the_pdf_has_pages(printed):
    assert printed.pdf is not None, printed.note
    data = printed.pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 4  # the KPIs, culture, sickness and returns at least


def test_the_pack_opens_from_disk_with_no_request_and_no_error(opened, printed):
    figures, requests, errors = opened
    assert errors == []
    assert set(requests) == {printed.html.as_uri()}
    assert {f["table"] for f in figures} >= CORE_TABLES
    assert (ARTIFACTS / "board_pack.png").stat().st_size > 50_000


def _mart_row(con: duckdb.DuckDBPyConnection, table: str, key: dict) -> dict:
    where = " and ".join(f'cast("{column}" as varchar) = ?' for column in key)
    cursor = con.execute(f'select * from "{table}" where {where}', [str(value) for value in key.values()])
    rows = cursor.fetchall()
    assert len(rows) == 1, (table, key, len(rows))
    return dict(zip([d[0] for d in cursor.description], rows[0], strict=True))


def check_figures(figures: list[dict], marts: Path) -> dict[str, int]:
    """Each figure against its published cell: the value to 1e-9, the text as the board reads it."""
    checked = {"number": 0, "suppressed": 0, "text": 0}
    with duckdb.connect(str(marts), read_only=True) as con:
        for figure in figures:
            row = _mart_row(con, figure["table"], json.loads(figure["key"]))
            value, where = row[figure["column"]], figure
            if value is None:
                assert figure["value"] == "", where
                if figure["text"] is not None:  # a withheld value reads "suppressed", a missing one "n/a": never 0
                    assert figure["text"] == ("suppressed" if row.get("is_suppressed") else "n/a"), where
                    checked["suppressed"] += figure["text"] == "suppressed"
                continue
            if figure["format"] == "text":
                assert figure["value"] == str(value) and figure["text"] in (None, str(value)), where
                checked["text"] += 1
                continue
            assert float(figure["value"]) == pytest.approx(float(value), rel=1e-9, abs=1e-12), where
            if figure["text"] is None:
                continue  # a chart point: its value is the check
            shown = NUMBER.search(figure["text"])
            decimals = len(shown.group(1) or "")
            expected = float(value) * (100 if figure["format"] == "pct" else 1)
            assert float(shown.group(0).replace(",", "")) == pytest.approx(expected, abs=0.5 * 10**-decimals + 1e-9), (
                where
            )
            assert figure["text"].endswith("%") == (figure["format"] in ("pct", "pct100")), where
            checked["number"] += 1
    return checked


def test_every_figure_equals_its_published_cell(opened, demo):
    figures = opened[0]
    assert len(figures) > 300
    checked = check_figures(figures, demo.marts)
    assert checked["number"] > 100 and checked["text"] >= 5 and checked["suppressed"] >= 1, checked


class _Figures(HTMLParser):
    """The figures of a page as the browser test collects them, read with the standard library."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict] = []
        self.open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-table" in attrs:
            figure = {k: attrs[f"data-{k}"] for k in ("table", "key", "column", "value", "format")}
            self.figures.append({**figure, "text": "" if tag == "span" else None})
            self.open = self.figures[-1] if tag == "span" else None

    def handle_data(self, data):
        if self.open is not None:
            self.open["text"] += data

    def handle_endtag(self, tag):
        if tag == "span":
            self.open = None


NEW_MARTS = {  # the marts other branches add (marts.md), as small tables of their published shape
    "mart_leavers": """select date '2025-01-31' as period, s as sector, 'ICS' as org_code, 'All' as profession,
        'reason' as dimension, c as category, case when c <> 'Dismissal' then 7 end as leavers_12m,
        case when c <> 'Dismissal' then 0.25 end as share_of_leavers, c = 'Dismissal' as is_suppressed
        from (values ('NHS'), ('System')) as t(s),
        (values ('Retirement'), ('Dismissal'), ('<b onmouseover=x>')) as u(c)""",
    "mart_joiners": """select date '2025-01-31' as period, 'System' as sector, 'ICS' as org_code,
        'All' as profession, d as dimension, 'Other partner' as category, 12 as joiners_12m,
        0.4 as share_of_joiners, false as is_suppressed
        from (values ('origin'), ('route')) as t(d)""",
    "mart_workforce_profile": """select date '2025-01-31' as period, 'System' as sector, 'ICS' as org_code,
        'All' as profession, 'All' as pay_band_group, 'age_band' as dimension, '55+' as category, 40 as headcount,
        0.2 as share, false as is_suppressed""",
    "mart_representation": """select date '2025-01-31' as period, p as place, 'System' as sector,
        'Asian' as ethnic_group, 0.12 as workforce_share, 0.15 as population_share, 0.8 as representation_ratio,
        false as is_suppressed
        from (values ('ICS'), ('Leicester')) as t(p)""",
    "mart_vacancy_demand": """select date '2025-01-31' as period, p as place, 'System' as sector,
        'Care worker' as job_role, 9 as vacancies, 0.09 as vacancy_rate, 0.01 as change_12m, 1 as demand_rank,
        false as is_suppressed
        from (values ('ICS'), ('Rutland')) as t(p)""",
    "mart_entry_routes": """select date '2025-01-31' as period, 'System' as sector, 'ICS' as org_code,
        'All' as profession, 'Apprentice' as route, 10 as joiners_12m, 0.8 as retention_rate_org_12m,
        0.9 as retention_rate_system_12m, false as is_suppressed""",
}


def test_each_new_mart_gets_its_section_once_published(demo, tmp_path):
    """The sections of the marts other branches add appear once their tables are in the published file, each
    figure equal to its cell, a suppressed one read as such, and return text escaped."""
    marts = tmp_path / "marts.duckdb"
    shutil.copyfile(demo.marts, marts)
    sections = ("leavers", "joiners", "profile", "representation", "demand", "entry-routes")
    with duckdb.connect(str(marts)) as con:
        for table in NEW_MARTS:
            con.execute(f"drop table if exists {table}")
    assert [s for s in sections if f'<section id="{s}"' in render(marts)] == []
    with duckdb.connect(str(marts)) as con:
        for table, sql in NEW_MARTS.items():
            con.execute(f"create table {table} as {sql}")
    page = render(marts)
    assert [s for s in sections if f'<section id="{s}"' in page] == list(sections)
    assert "<b onmouseover" not in page and "&lt;b onmouseover=x&gt;" in page
    parser = _Figures()
    parser.feed(page)
    new = [f for f in parser.figures if f["table"] in NEW_MARTS]
    assert {f["table"] for f in new} == set(NEW_MARTS)
    checked = check_figures(new, marts)
    assert checked["number"] >= 15 and checked["suppressed"] == 4, checked


def test_a_publication_with_no_rows_yet_still_gets_a_pack(demo, tmp_path):
    """The first refresh of a new landing folder can publish every mart empty (no file settled yet): the pack
    says so instead of failing on a missing latest period (seen: AttributeError on None.strftime)."""
    marts = tmp_path / "marts.duckdb"
    shutil.copyfile(demo.marts, marts)
    with duckdb.connect(str(marts)) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()]
        for table in tables:
            if table != "refresh_log":
                con.execute(f'delete from "{table}"')
    page = render(marts)
    assert "No KPI is published yet" in page
    assert [s for s in ("leavers", "joiners", "demand", "entry-routes") if f'<section id="{s}"' in page] == []
