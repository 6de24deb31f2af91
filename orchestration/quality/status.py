"""The state of the returns now, not what one refresh touched (README "How a return is taken in", return status).

One definition of a quarantined return: its latest version received was held back (audit.return_state,
orchestration/ingestion/schema.py; mart_return_status reads the same view). Outstanding: a return quarantined, or
missing (expected, due and not arrived; mart_return_status). Read by the raw assets' checks, the return register,
refresh_log, the published asset's check and the refresh summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

SHOWN = 50  # lines listed in a check's metadata or the summary; the rest are counted
OUTSTANDING_CHECK = "returns_outstanding"


@dataclass(frozen=True)
class HeldBack:
    source: str
    period: str
    submitter: str
    file_name: str
    current_version: int | None

    def line(self) -> str:
        in_use = f"v{self.current_version} stays in use" if self.current_version else "no version in use"
        return f"{self.source} {self.period} {self.submitter}: {self.file_name} held back ({in_use})"


def held_back(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[HeldBack]:
    """Returns quarantined now (of one source, or all), oldest period first."""
    rows = con.execute(
        "select source, period, submitter, latest_file_name, current_version from audit.return_state "
        "where is_held_back and (cast(? as varchar) is null or source = ?) order by source, period, submitter",
        [source, source],
    ).fetchall()
    return [HeldBack(*row) for row in rows]


@dataclass(frozen=True)
class Outstanding:
    """A return a partner still owes, from the published mart_return_status."""

    org_code: str
    org_name: str | None
    source: str
    period: dt.date
    status: str
    reason: str | None

    def line(self) -> str:
        who = f"{self.org_name} ({self.org_code})" if self.org_name else self.org_code
        first = (self.reason or "").split("\n", 1)[0]
        return f"{who}: {self.source} {self.period:%Y-%m} {self.status}" + (f": {first}" if first else "")


def outstanding(con: duckdb.DuckDBPyConnection, table: str = "mart_return_status") -> list[Outstanding]:
    """Returns quarantined or missing, by partner then period, from a file holding mart_return_status."""
    rows = con.execute(
        f"select org_code, org_name, source, period, status, reasons from {table} "
        "where status in ('quarantined', 'missing') order by coalesce(org_name, org_code), org_code, period, source"
    ).fetchall()
    return [Outstanding(*row) for row in rows]


def listed(lines: list[str], what: str = "mart_return_status") -> list[str]:
    shown = lines[:SHOWN]
    return shown + ([f"... and {len(lines) - SHOWN} more (see {what})"] if len(lines) > SHOWN else [])


def outstanding_check_metadata(items: list[Outstanding]) -> dict:
    """What a lead reads on the published asset's check: counts, then which partners owe which returns."""
    from dagster import MetadataValue

    from orchestration.safe_text import markdown_code

    partners = sorted({i.org_name or i.org_code for i in items})
    lines = [f"- {markdown_code(line, table_cell=False)}" for line in listed([i.line() for i in items])]
    return {
        "returns_quarantined": sum(i.status == "quarantined" for i in items),
        "returns_missing": sum(i.status == "missing" for i in items),
        "partners": MetadataValue.md(", ".join(markdown_code(p, table_cell=False) for p in partners) or "none"),
        "returns": MetadataValue.md("\n".join(lines) or "none: every return due is in and accepted"),
    }


HEADLINE_KPIS = (
    "joiners_12m",
    "median_days_to_hire",
    "turnover_rate_12m",
    "median_service_years",
    "bank_agency_share",
    "vacancy_rate",
    "leavers_12m",
)


def headline_figures(con: duckdb.DuckDBPyConnection) -> dict:
    """The published version's headline: each of the seven KPIs for the System (or, where the sectors' bases
    differ, NHS), at its latest month with a value, with its coverage and whether it is provisional."""
    from dagster import MetadataValue

    rows = con.execute(
        """select kpi, sector, period, value, orgs_reporting, orgs_expected, is_provisional
        from mart_system_kpis
        where profession = 'All' and value is not null and kpi in (select unnest(?))
          and (sector = 'System' or (sector = 'NHS' and kpi in (select kpi from mart_system_kpis
               where sector = 'System' and basis = 'mixed')))
        qualify row_number() over (partition by kpi order by period desc, sector = 'System' desc) = 1""",
        [list(HEADLINE_KPIS)],
    ).fetchall()
    units = dict(con.execute("select kpi, unit from metric_definitions").fetchall())  # the KPI registry's
    table = ["| KPI | sector | month | value | coverage | provisional |", "|---|---|---|---|---|---|"]
    metadata: dict = {}
    for kpi, sector, period, value, reporting, expected, provisional in sorted(
        rows, key=lambda r: HEADLINE_KPIS.index(r[0])
    ):
        shown = f"{value:.1%}" if units[kpi] == "share" else f"{value:,.1f}"
        flag = "yes" if provisional else "no"
        table.append(f"| {kpi} | {sector} | {period:%Y-%m} | {shown} | {reporting} of {expected} | {flag} |")
        metadata[kpi] = MetadataValue.float(float(value))  # one key per KPI: the UI plots it across versions
    return {"headline_figures": MetadataValue.md("\n".join(table)), **metadata}
