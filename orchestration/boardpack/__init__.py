"""The People Board pack: one self-contained HTML document built from a published marts file, and a PDF printed
from it by headless Chromium. Built by every publication (orchestration/publish.py) beside the published file
and each dated copy; `python -m orchestration.boardpack <marts.duckdb> [--out pack.html]` builds one by hand.

The page holds no script and loads nothing (a Content-Security-Policy that allows neither, inline CSS, inline
SVG, the reader's own fonts), so it opens from disk with no network. Every figure is an element carrying the
mart cell it shows (data-table, data-key as JSON, data-column, data-value): the e2e test compares each with
the published file. Return text reaches the page only through Jinja's autoescape or safe_text.html_text.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from orchestration.boardpack.charts import Point, Series, line_chart
from orchestration.resources import DUCKDB_MEMORY_LIMIT, PROJECT_ROOT, coverage_threshold, limit_memory
from orchestration.safe_text import CONTENT_SECURITY_POLICY, html_text

BOARD_TARGETS = PROJECT_ROOT / "seeds" / "board" / "board_targets.csv"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]
PDF_TIMEOUT_S = 180
LOW_COVERAGE = coverage_threshold()  # a point on fewer of the partners expected is marked "low coverage"
TREND_MONTHS = 24
SECTORS = ["NHS", "Adult social care", "VCSE", "System"]
COLOURS = {"NHS": "#005eb8", "Adult social care": "#7c2855", "VCSE": "#007f73", "System": "#231f20"}
KPI_GROUPS = [  # the seven KPIs of the board, and sickness reported beside them
    ("Joiners", ["joiners_12m"]),
    ("Time to recruit", ["median_days_to_hire", "mean_days_to_fill"]),
    ("Turnover", ["turnover_rate_12m", "system_turnover_rate_12m"]),
    ("Length of time in role", ["median_service_years", "stability_index_12m"]),
    ("Bank and agency", ["bank_agency_share"]),
    ("Vacancies", ["vacancy_rate"]),
    ("Leavers", ["leavers_12m", "early_leaver_share_12m"]),
    ("Sickness (beside the seven)", ["sickness_rate", "avg_sick_days_12m"]),
]
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BoardPack:
    html: Path
    pdf: Path | None
    note: str  # what was built, or why the PDF was not


# --- figures -------------------------------------------------------------------------------------------------


FORMATS = {  # how the board reads each kind of value: fractions as percentages (25.0%, never 0.25)
    "pct": "{:.1%}",
    "pct100": "{:.1f}%",
    "days": "{:.0f} days",
    "years": "{:.1f} years",
    "count": "{:,.0f}",
    "score10": "{:.2f} /10",
    "ratio": "{:.2f}",
}


def number(value: float, kind: str) -> str:
    return FORMATS.get(kind, FORMATS["ratio"]).format(value)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def cell(table: str, key: dict, column: str, value: object, kind: str = "text") -> dict[str, str]:
    """The data-* attributes tying a figure to its published cell."""
    return {
        "data-table": table,
        "data-key": json.dumps({k: _plain(v) for k, v in key.items()}, sort_keys=True),
        "data-column": column,
        "data-value": "" if value is None else str(_plain(value)),
        "data-format": kind,
    }


def figure(table: str, key: dict, column: str, value: object, kind: str, suppressed: bool = False) -> Markup:
    """A figure in the text: its value formatted, "suppressed" where disclosure control withheld it (never 0),
    "n/a" where nothing was published."""
    attrs = " ".join(f'{k}="{html_text(v)}"' for k, v in cell(table, key, column, value, kind).items())
    if value is None:
        shown, css = ("suppressed", "fig suppressed") if suppressed else ("n/a", "fig na")
    else:
        shown, css = (number(value, kind) if kind != "text" else str(value)), "fig"
    return Markup(f'<span class="{css}" {attrs}>{html_text(shown)}</span>')


def month(value: dt.date) -> str:
    return value.strftime("%b %Y")


# --- reading the published file --------------------------------------------------------------------------------


class Marts:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        self.names = (
            dict(self.rows_of("select org_code, org_name from dim_organisation"))
            if "dim_organisation" in self.tables
            else {}
        )

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def rows_of(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def columns(self, table: str) -> set[str]:
        return {c for (c,) in self.rows_of("select column_name from duckdb_columns() where table_name = ?", [table])}

    def has(self, table: str, *columns: str) -> bool:
        return table in self.tables and set(columns) <= self.columns(table)

    def name(self, org_code: str | None) -> str:
        if org_code == "ICS":
            return "Whole system (ICS)"
        return self.names.get(org_code) or org_code or ""


def read_targets(path: Path) -> dict[tuple[str, str], dict]:
    """The board's targets (seeds/board/board_targets.csv): (kpi, sector) -> row; sector 'All' for every one."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {(row["kpi"], row["sector"]): row for row in csv.DictReader(handle)}


def target_for(targets: dict, kpi: str, sector: str) -> dict:
    return targets.get((kpi, sector)) or targets.get((kpi, "All")) or {}


def rag(value: float | None, target: dict) -> str | None:
    """Green on or better than the target, Amber within amber_within (a fraction of the target) of it, else Red."""
    if value is None or not target.get("target"):
        return None
    goal, margin = float(target["target"]), float(target.get("amber_within") or 0)
    if target.get("higher_is") == "better":
        return "Green" if value >= goal else "Amber" if value >= goal * (1 - margin) else "Red"
    return "Green" if value <= goal else "Amber" if value <= goal * (1 + margin) else "Red"


# --- sections --------------------------------------------------------------------------------------------------


def coverage_of(row: dict) -> float | None:
    expected = row.get("orgs_expected")
    return None if not expected else (row.get("orgs_reporting") or 0) / expected


def marks(row: dict) -> list[str]:
    found = []
    if row.get("is_provisional"):
        found.append("provisional")
    share = coverage_of(row)
    if share is not None and share < LOW_COVERAGE:
        found.append("low coverage")
    return found


def kpi_sections(marts: Marts, targets: dict) -> list[dict]:
    definitions = {}
    if marts.has("metric_definitions", "kpi", "definition"):
        definitions = {r["kpi"]: r for r in marts.rows("select * from metric_definitions")}
    data = marts.rows("select * from mart_system_kpis where profession = 'All' order by kpi, sector, period")
    by_kpi: dict[str, list[dict]] = {}
    for row in data:
        by_kpi.setdefault(row["kpi"], []).append(row)
    groups = []
    for title, kpis in KPI_GROUPS:
        cards = [kpi_card(kpi, by_kpi[kpi], definitions.get(kpi, {}), targets) for kpi in kpis if kpi in by_kpi]
        if cards:
            groups.append({"title": title, "cards": cards})
    return groups


def kpi_card(kpi: str, rows: list[dict], definition: dict, targets: dict) -> dict:
    unit = definition.get("unit") or "share"  # the KPI registry's unit (metric_definitions)
    kind = "pct" if unit == "share" else unit
    with_value = [r["period"] for r in rows if r["value"] is not None]
    latest = max(with_value) if with_value else max(r["period"] for r in rows)
    first = min(r["period"] for r in rows if r["value"] is not None) if with_value else latest
    periods = sorted({r["period"] for r in rows if first <= r["period"] <= latest})[-TREND_MONTHS:]
    index = {p: i for i, p in enumerate(periods)}
    year_ago = dt.date(latest.year - 1, latest.month, calendar.monthrange(latest.year - 1, latest.month)[1])
    at = {(r["sector"], r["period"]): r for r in rows}
    sectors = [s for s in SECTORS if any(r["sector"] == s for r in rows)]
    table, series = [], []
    direction = target_for(targets, kpi, "System").get("higher_is", "")
    for sector in sectors:
        row = at.get((sector, latest))
        if row is None:
            continue
        key = {"period": latest, "sector": sector, "profession": "All", "kpi": kpi}
        before = at.get((sector, year_ago)) if year_ago else None
        target = target_for(targets, kpi, sector)
        change = ""
        if before and before["value"] is not None and row["value"] is not None:
            change = difference(row["value"] - before["value"], kind)
        table.append(
            {
                "sector": sector,
                "value": figure("mart_system_kpis", key, "value", row["value"], kind, row["is_suppressed"]),
                "year_ago": figure(
                    "mart_system_kpis",
                    {**key, "period": year_ago},
                    "value",
                    before["value"],
                    kind,
                    before["is_suppressed"],
                )
                if before
                else Markup("n/a"),
                "change": change,
                "reporting": figure("mart_system_kpis", key, "orgs_reporting", row["orgs_reporting"], "count"),
                "expected": figure("mart_system_kpis", key, "orgs_expected", row["orgs_expected"], "count"),
                "basis": row["basis"],
                "marks": marks(row),
                "target": number(float(target["target"]), kind) if target.get("target") else "",
                "rag": rag(row["value"], target),
            }
        )
        line = Series(sector, COLOURS.get(sector, "#555"), dashed=sector == "System")
        for period in periods:
            point = at.get((sector, period))
            if point is None:
                continue
            attrs = cell("mart_system_kpis", {**key, "period": period}, "value", point["value"], kind)
            line.points.append(Point(index[period], point["value"], attrs, hollow=bool(marks(point))))
        series.append(line)
    chart = line_chart(
        f"{kpi}: {len(periods)} months to {month(latest)}",
        [p.strftime("%b %y") for p in periods],
        series,
        lambda v: number(v, kind),
        zero_based=kind not in ("years", "days"),
    )
    return {
        "kpi": kpi,
        "label": kpi.replace("_", " ").replace("12m", "(12 months)"),
        "period": month(latest),
        "rows": table,
        "chart": chart,
        "reading": reading(kpi, kind, table, latest, direction),
        "definition": first_sentence(definition.get("definition", "")),
        "higher_is_worse": direction == "worse",
    }


def difference(change: float, kind: str) -> str:
    """A change on a year earlier: percentage points for rates, the unit otherwise."""
    if kind in ("pct", "pct100"):
        return f"{change * (100 if kind == 'pct' else 1):+.1f} points"
    return ("" if change < 0 else "+") + number(change, kind).replace(" /10", "")


def first_sentence(text: str) -> str:
    return (text.split(". ")[0].rstrip(".") + ".") if text else ""


def reading(kpi: str, kind: str, table: list[dict], latest: dt.date, direction: str) -> str:
    """One line: the System (or the first sector) value, its change on a year earlier, target and RAG."""
    row = next((r for r in table if r["sector"] == "System" and r["value"].striptags() not in ("n/a",)), None)
    row = row or (table[0] if table else None)
    if row is None:
        return "Nothing published for this measure."
    text = f"{row['sector']}: {row['value'].striptags()} in {month(latest)}"
    if row["change"]:
        text += f", {row['change']} on a year earlier"
    if row["rag"]:
        text += f"; target {row['target']} ({row['rag']})"
    if row["marks"]:
        text += f"; {' and '.join(row['marks'])}"
    if direction == "worse":
        text += "; higher is worse"
    return text + "."


CULTURE_SCALES = [  # (measure starts with / contains, kind, scale label): 0-10 and 0-100 never share an axis
    ("relative likelihood", "ratio", "ratio, 1.00 = parity"),
    ("disparity", "ratio", "ratio, 1.00 = parity"),
    ("CQC well-led", "pct", "share of locations"),
]


def culture_kind(measure: str, values: list[float]) -> tuple[str, str]:
    for needle, kind, label in CULTURE_SCALES:
        if needle.lower() in measure.lower():
            return kind, label
    if values and max(values) > 10:
        return "pct100", "score 0-100"
    return "score10", "score 0-10"


def culture_section(marts: Marts) -> dict | None:
    """Every measure at its own latest year, the system first, then each organisation; one table per scale."""
    if not marts.has("mart_culture_dashboard", "year", "org_code", "measure", "group_type", "group_value", "score"):
        return None
    rows = marts.rows(
        "select c.* from mart_culture_dashboard as c join (select measure, max(year) as year from "
        "mart_culture_dashboard where score is not null group by measure) as m using (measure, year) "
        "where c.group_type = 'All' and c.group_value = 'All' order by c.measure, c.org_code = 'ICS' desc, c.org_code"
    )
    measures: dict[str, list[dict]] = {}
    for row in rows:
        measures.setdefault(row["measure"], []).append(row)
    blocks: dict[str, list[dict]] = {}
    for measure, items in measures.items():
        kind, scale = culture_kind(measure, [r["score"] for r in items if r["score"] is not None])
        for row in items:
            key = {k: row[k] for k in ("year", "org_code", "measure", "group_type", "group_value")}
            previous = row.get("previous_score")
            blocks.setdefault(scale, []).append(
                {
                    "measure": measure,
                    "year": row["year"],
                    "organisation": marts.name(row["org_code"]) if row["org_code"] == "ICS" else row.get("org_name"),
                    "is_system": row["org_code"] == "ICS",
                    "score": figure("mart_culture_dashboard", key, "score", row["score"], kind, row["is_suppressed"]),
                    "previous": ""
                    if previous is None
                    else figure("mart_culture_dashboard", key, "previous_score", previous, kind),
                    "change": "" if row.get("change") is None else difference(row["change"], kind),
                }
            )
    return {"blocks": sorted(blocks.items())}


def sickness_section(marts: Marts) -> dict | None:
    if not marts.has("mart_sickness_benchmark", "period", "org_code", "sickness_rate", "england_rate", "region_rate"):
        return None
    partners = marts.rows(
        "select * from mart_sickness_benchmark where is_ics_partner and org_type <> 'Integrated Care Board' "
        "order by org_code, period"
    )
    if not partners:
        return None
    periods = sorted({r["period"] for r in partners})[-TREND_MONTHS:]
    index = {p: i for i, p in enumerate(periods)}
    series: dict[str, Series] = {}
    palette = ["#005eb8", "#7c2855", "#007f73", "#ed8b00", "#330072", "#8a1538", "#006747"]
    first = {}
    for row in partners:
        if row["period"] not in index:
            continue
        first.setdefault(row["period"], row)
        name = marts.name(row["org_code"]) if row["org_code"] in marts.names else row["org_name"]
        line = series.setdefault(name, Series(name, palette[len(series) % len(palette)]))
        key = {"period": row["period"], "org_code": row["org_code"]}
        line.points.append(
            Point(
                index[row["period"]],
                row["sickness_rate"],
                cell("mart_sickness_benchmark", key, "sickness_rate", row["sickness_rate"], "pct"),
            )
        )
    for column, label, colour in (("england_rate", "England", "#000"), ("region_rate", "Region", "#768692")):
        line = Series(label, colour, dashed=True)
        for period, row in sorted(first.items()):
            key = {"period": row["period"], "org_code": row["org_code"]}
            line.points.append(
                Point(index[period], row[column], cell("mart_sickness_benchmark", key, column, row[column], "pct"))
            )
        series[label] = line
    chart = line_chart(
        "Sickness rate by month",
        [p.strftime("%b %y") for p in periods],
        list(series.values()),
        lambda v: number(v, "pct"),
    )
    latest = periods[-1]
    table = []
    for row in partners:
        if row["period"] != latest:
            continue
        key = {"period": latest, "org_code": row["org_code"]}
        table.append(
            {
                "organisation": marts.name(row["org_code"]) if row["org_code"] in marts.names else row["org_name"],
                **{
                    c: figure("mart_sickness_benchmark", key, c, row.get(c), "pct")
                    for c in ("sickness_rate", "region_rate", "england_rate")
                },
                "percentile": figure(
                    "mart_sickness_benchmark", key, "percentile_in_org_type", row.get("percentile_in_org_type"), "pct"
                ),
            }
        )
    return {"period": month(latest), "chart": chart, "rows": table}


FILE_SUBMITTERS = {  # returns sent as one file for many organisations (orchestration/ingestion/sources.py)
    "extract": "ASC-WDS extract (all providers)",
    "cqc": "CQC ratings file",
    "england": "NHS England file",
    "ics": "ICS partner register",
    "etr": "ODS trust list",
    "ts021": "Census population file",
}


def return_status_section(marts: Marts) -> dict | None:
    """Each partner's status for each source's latest period, and every return held back or missing in the
    twelve months to it, with what to fix."""
    if not marts.has("mart_return_status", "period", "org_code", "source", "status"):
        return None
    rows = marts.rows(
        "select *, period = max(period) over (partition by source) as is_latest, "
        "period > max(period) over () - interval 12 month as is_recent "
        "from mart_return_status order by sector, org_code, source, period"
    )
    latest = {r["source"]: r["period"] for r in rows if r["is_latest"]}
    partners: dict[str, dict] = {}
    outstanding = []
    for row in rows:
        key = {"period": row["period"], "org_code": row["org_code"], "source": row["source"]}
        status = figure("mart_return_status", key, "status", row["status"], "text")
        if row["is_latest"]:
            name = FILE_SUBMITTERS.get(row["org_code"]) or row.get("org_name") or marts.name(row["org_code"])
            entry = partners.setdefault(
                row["org_code"], {"organisation": name, "sector": row.get("sector") or "", "cells": {}}
            )
            entry["cells"][row["source"]] = {"status": row["status"], "figure": status}
        if row["is_recent"] and row["status"] in ("quarantined", "missing"):
            outstanding.append(
                {
                    "period": month(row["period"]),
                    "organisation": row.get("org_name") or marts.name(row["org_code"]),
                    "source": row["source"],
                    "status": status,
                    "reasons": row.get("reasons") or "",
                }
            )
    return {
        "sources": [(source, source.replace("_", " "), month(period)) for source, period in sorted(latest.items())],
        "partners": sorted(partners.values(), key=lambda p: (p["sector"], p["organisation"])),
        "outstanding": outstanding,
    }


# --- the new marts, each drawn only once its table is published -----------------------------------------------


def breakdown(
    marts: Marts,
    table: str,
    where: str,
    params: list,
    rows_by: str,
    cols_by: str,
    value: str,
    kind: str,
    key_columns: list[str],
    title: str,
    row_label=None,
    limit: int | None = None,
) -> dict | None:
    """A table of one value by two dimensions (e.g. leaving reason by sector) from the rows `where` selects."""
    data = marts.rows(f"select * from {table} where {where}", params)
    if not data:
        return None
    cols = sorted({r[cols_by] for r in data}, key=lambda c: (SECTORS.index(c) if c in SECTORS else 99, str(c)))
    grid: dict[object, dict] = {}
    for row in data:
        key = {k: row[k] for k in key_columns}
        grid.setdefault(row[rows_by], {})[row[cols_by]] = figure(
            table, key, value, row[value], kind, bool(row.get("is_suppressed"))
        )
    labels = sorted(grid, key=lambda r: str(r))[: limit or None]
    return {
        "title": title,
        "columns": [str(c) for c in cols],
        "rows": [
            {"label": row_label(r) if row_label else str(r), "cells": [grid[r].get(c, "") for c in cols]}
            for r in labels
        ],
    }


def latest_period(marts: Marts, table: str, column: str = "period") -> object:
    return marts.rows_of(f"select max({column}) from {table}")[0][0]


@dataclass(frozen=True)
class View:
    """Tables of one mart: `measures` ((column, format, title) each) by rows_by and cols_by, from the latest
    period's rows that `where` selects; one table per value of for_each when it is set."""

    where: str
    rows_by: str
    cols_by: str
    keys: tuple[str, ...]
    measures: tuple[tuple[str, str, str], ...]
    for_each: str | None = None


ICS_ALL = "org_code = 'ICS' and profession = 'All'"
GRAIN = ("period", "sector", "org_code", "profession", "dimension", "category")
NEW_MARTS = [  # (section id, mart, title, the view): each drawn only once its mart is in the published file
    ("leavers", "mart_leavers", "Why people leave: leavers by reason, 12 months to {period}",
     View(f"{ICS_ALL} and dimension = 'reason'", "category", "sector", GRAIN,
          (("leavers_12m", "count", "Leavers in 12 months"), ("share_of_leavers", "pct", "Share of leavers")))),
    ("joiners", "mart_joiners", "Where joiners come from, 12 months to {period}",
     View(f"{ICS_ALL} and dimension in ('origin', 'route')", "category", "sector", GRAIN,
          (("share_of_joiners", "pct", "Joiners by {each} (share)"),), for_each="dimension")),
    ("profile", "mart_workforce_profile", "Workforce profile, {period}",
     View(f"{ICS_ALL} and pay_band_group = 'All'", "category", "sector",
          (*GRAIN[:4], "pay_band_group", *GRAIN[4:]),
          (("share", "pct", "Workforce by {each} (share)"),), for_each="dimension")),
    ("representation", "mart_representation", "Representation against the local population, {period}",
     View("sector = 'System'", "place", "ethnic_group", ("period", "place", "sector", "ethnic_group"),
          (("workforce_share", "pct", "Workforce share"), ("population_share", "pct", "Population share"),
           ("representation_ratio", "ratio",
            "Representation: workforce share / population share (1.00 = as the population)")))),
    ("demand", "mart_vacancy_demand", "", None),  # its own layout: demand_section
    ("entry-routes", "mart_entry_routes", "Entry routes and who stays, {period}",
     View(ICS_ALL, "route", "sector", ("period", "sector", "org_code", "profession", "route"),
          (("joiners_12m", "count", "Joiners in 12 months"),
           ("retention_rate_org_12m", "pct", "Still with their organisation a year on"),
           ("retention_rate_system_12m", "pct", "Still in the system a year on")))),
]  # fmt: skip


def view_tables(marts: Marts, table: str, view: View, period: object) -> list[dict]:
    groups = [None]
    if view.for_each:
        sql = f"select distinct {view.for_each} from {table} where {view.where} and period = ? order by 1"
        groups = [group for (group,) in marts.rows_of(sql, [period])]
    tables = []
    for group in groups:
        where, params = f"{view.where} and period = ?", [period]
        if view.for_each:
            where, params = f"{where} and {view.for_each} = ?", [period, group]
        for column, kind, title in view.measures:
            label = title.format(each=str(group).replace("_", " "))
            row_label = marts_place if view.rows_by == "place" else None
            tables.append(
                breakdown(
                    marts,
                    table,
                    where,
                    params,
                    view.rows_by,
                    view.cols_by,
                    column,
                    kind,
                    list(view.keys),
                    label,
                    row_label,
                )
            )
    return [t for t in tables if t]


def new_mart_sections(marts: Marts) -> list[dict]:
    sections = []
    for section_id, table, title, view in NEW_MARTS:
        if view is None:
            columns = ("place", "sector", "job_role", "vacancies", "vacancy_rate", "demand_rank")
        else:
            columns = (view.rows_by, view.cols_by, *view.keys, *(m[0] for m in view.measures))
        if not marts.has(table, *columns):
            continue
        period = latest_period(marts, table)
        if period is None:  # published with no rows yet (no return settled): no section rather than a failure
            continue
        if view is None:
            sections.append(demand_section(marts, period))
            continue
        tables = view_tables(marts, table, view, period)
        if tables:
            sections.append({"id": section_id, "title": title.format(period=month(period)), "tables": tables})
    return sections


def marts_place(place: object) -> str:
    return "Whole system (ICS)" if place == "ICS" else str(place)


def demand_section(marts: Marts, period: object) -> dict:
    keys = ["period", "place", "sector", "job_role"]
    top = marts.rows(
        "select * from mart_vacancy_demand where period = ? and place = 'ICS' and demand_rank is not null "
        "order by demand_rank, sector, job_role limit 10",
        [period],
    )
    rows = []
    for row in top:
        key = {k: row[k] for k in keys}
        rows.append(
            {
                "rank": row["demand_rank"],
                "job_role": row["job_role"],
                "sector": row["sector"],
                "vacancies": figure(
                    "mart_vacancy_demand", key, "vacancies", row["vacancies"], "count", bool(row.get("is_suppressed"))
                ),
                "vacancy_rate": figure(
                    "mart_vacancy_demand",
                    key,
                    "vacancy_rate",
                    row["vacancy_rate"],
                    "pct",
                    bool(row.get("is_suppressed")),
                ),
                "change": figure("mart_vacancy_demand", key, "change_12m", row.get("change_12m"), "pct")
                if "change_12m" in row
                else "",
            }
        )
    sector = (
        "System" if marts.rows_of("select count(*) from mart_vacancy_demand where sector = 'System'")[0][0] else None
    )
    heat = breakdown(
        marts,
        "mart_vacancy_demand",
        f"period = ? and place <> 'ICS' and {'sector = ?' if sector else 'true'}",
        [period, sector] if sector else [period],
        "job_role",
        "place",
        "vacancy_rate",
        "pct",
        keys,
        "Vacancy rate by place and job role",
    )
    if heat:  # colour each cell by its rate: the heat table
        for row in heat["rows"]:
            row["cells"] = [heat_cell(c) for c in row["cells"]]
    return {
        "id": "demand",
        "title": f"Where the demand is, {month(period)}",
        "top": rows,
        "tables": [heat] if heat else [],
    }


def heat_cell(figure_html: object) -> Markup:
    text = str(figure_html)
    marker = 'data-value="'
    if marker not in text:
        return Markup(text)
    raw = text.split(marker, 1)[1].split('"', 1)[0]
    try:
        share = min(1.0, float(raw) / 0.2)  # a 20% vacancy rate is the darkest
    except ValueError:
        return Markup(text)
    return Markup(f'<span class="heat" style="background: rgba(218, 41, 28, {share * 0.75:.2f})">{text}</span>')


# --- the document ----------------------------------------------------------------------------------------------


def render(marts_path: Path, targets_path: Path = BOARD_TARGETS, memory_limit: str = DUCKDB_MEMORY_LIMIT) -> str:
    env = Environment(
        loader=FileSystemLoader(HERE), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    with limit_memory(duckdb.connect(str(marts_path), read_only=True), memory_limit) as con:
        marts = Marts(con)
        log = marts.rows("select * from refresh_log") if "refresh_log" in marts.tables else []
        context = {
            "csp": CONTENT_SECURITY_POLICY,
            "refresh": log[0] if log else {},
            "kpis": kpi_sections(marts, read_targets(targets_path)) if "mart_system_kpis" in marts.tables else [],
            "culture": culture_section(marts),
            "sickness": sickness_section(marts),
            "returns": return_status_section(marts),
            "extra": new_mart_sections(marts),
            "low_coverage": f"{LOW_COVERAGE:.0%}",
            "targets_file": targets_path.name,
        }
    return env.get_template("pack.html.j2").render(**context)


def print_pdf(html: Path, pdf: Path) -> str | None:
    """The HTML printed to PDF by headless Chromium; the reason it was not, or None."""
    if not CHROMIUM.exists():
        return f"PDF skipped: {CHROMIUM} is absent (apt-get install chromium)"
    with tempfile.TemporaryDirectory(prefix="boardpack-chromium-") as profile:
        partial = pdf.with_name(pdf.name + ".partial")
        command = [
            str(CHROMIUM),
            *CHROMIUM_ARGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            return f"PDF skipped: Chromium did not finish in {PDF_TIMEOUT_S} s"
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            return f"PDF failed: Chromium exited {done.returncode}: {done.stderr.strip()[-300:]}"
        os.replace(partial, pdf)
    return None


def build_board_pack(
    marts_path: Path,
    html: Path,
    pdf: bool = True,
    targets: Path = BOARD_TARGETS,
    memory_limit: str = DUCKDB_MEMORY_LIMIT,
) -> BoardPack:
    """Render the pack of the published file at marts_path to html (whole, through a .partial file), then print
    its PDF beside it unless pdf is False or Chromium is absent (the note says so)."""
    html.parent.mkdir(parents=True, exist_ok=True)
    partial = html.with_name(html.name + ".partial")
    partial.write_text(render(marts_path, targets, memory_limit), encoding="utf-8")
    os.replace(partial, html)
    target = html.with_suffix(".pdf")
    if not pdf:
        target.unlink(missing_ok=True)
        return BoardPack(html, None, "PDF not printed (WF_BOARD_PACK_PDF=0)")
    failed = print_pdf(html, target)
    if failed:
        target.unlink(missing_ok=True)
        return BoardPack(html, None, failed)
    return BoardPack(html, target, f"HTML and PDF: {html.name}, {target.name}")


def pack_path(marts_file: Path) -> Path:
    """Where a published file's pack lives: `<stem>.board_pack.html` beside it (its PDF: `.pdf`)."""
    return marts_file.with_name(f"{marts_file.stem}.board_pack.html")


def copy_pack(pack: BoardPack, marts_copy: Path) -> None:
    """The pack of a version kept with its dated copy too."""
    html = pack_path(marts_copy)
    shutil.copyfile(pack.html, html)
    if pack.pdf:
        shutil.copyfile(pack.pdf, html.with_suffix(".pdf"))


def remove_pack(marts_file: Path) -> None:
    html = pack_path(marts_file)
    for path in (html, html.with_suffix(".pdf")):
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Build the People Board pack of a published marts file.")
    parser.add_argument("marts", type=Path, nargs="?", default=None, help="the published file (default: WF_MARTS)")
    parser.add_argument("--out", type=Path, default=None, help="the HTML to write (default: beside the file)")
    parser.add_argument("--no-pdf", action="store_true", help="build the HTML only")
    args = parser.parse_args(argv)
    from orchestration.resources import Settings

    marts = args.marts or Settings.from_env().marts
    pack = build_board_pack(marts, args.out or pack_path(marts), pdf=not args.no_pdf)
    print(f"Board pack: {pack.html} ({pack.note})")
    return 0
