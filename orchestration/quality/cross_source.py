"""Rules that span returns or sources, in SQL over the warehouse (all WARN: loaded and reported).

At ingestion (AT_INGEST_READS makes ESR staff ingest before leavers and pwr):
- a leaver not in the previous month's staff in post (NHS ESR leavers; ASC workers with a leave_date),
  checked only when that previous snapshot has been accepted (else it cannot be checked);
- an nhs_pwr staff group whose substantive FTE is more than 10% from the FTE of the Permanent and Fixed
  Term Temp assignments in the same trust's ESR staff in post for the month.
After all ingestion (the return register asset), recomputed each refresh for every current return:
- an organisation missing from the partner register; an NHS code missing from ods_trusts;
- an ASC establishment whose own local_authority_code is not its register place's local_authority_code.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.quality.gx_run import Failure, _rows_phrase
from orchestration.quality.rules import CROSSWALK_KEY_SQL

PWR_TOLERANCE = 0.10


def _previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - (month == 1)}-{12 if month == 1 else month - 1:02d}"


def _failures(rows: pd.DataFrame, column: str, rule: str, reason) -> list[Failure]:
    out = []
    for load_id, group in rows.groupby("load_id", sort=True):
        group = group.sort_values("source_row")
        lines = [int(r) for r in group["source_row"]]
        suffix = f" (rows {_rows_phrase(lines)})" if len(lines) > 1 else ""
        out.append(Failure(int(load_id), "WARN", column, rule, "sql", lines, reason(group.iloc[0]) + suffix))
    return out


def _with_previous(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(previous_period=frame["return_period"].map(_previous_month))


def leavers_not_in_staff_in_post(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> list[Failure]:
    """NHS: each leaver's assignment should be in the trust's ESR staff in post of the month before,
    unless the assignment started in the leaving month."""
    if frame.empty:
        return []
    con = con.cursor()
    con.register(
        "quality_leavers",
        _with_previous(frame)[
            [
                "load_id",
                "source_row",
                "submitter",
                "return_period",
                "previous_period",
                "assignment_key",
                "assignment_start_date",
                "month_start",
            ]
        ],
    )
    rows = con.execute(
        """
        select f.load_id, f.source_row, f.previous_period
        from quality_leavers as f
        where exists (
                select 1 from raw.nhs_esr_staff as s
                where s.submitter = f.submitter and s.return_period = f.previous_period)
          and not exists (
                select 1 from raw.nhs_esr_staff as s
                where s.submitter = f.submitter and s.return_period = f.previous_period
                  and s.assignment_key = f.assignment_key)
          and (f.assignment_start_date is null or f.assignment_start_date < f.month_start)
        """
    ).df()
    con.unregister("quality_leavers")
    return _failures(
        rows,
        "assignment_number",
        "leaver not in previous staff in post",
        lambda r: (
            f"this leaver's assignment is not in your nhs_esr_staff return for {r.previous_period}; "
            "expected every leaver (who started before this month) in the previous month's staff in post"
        ),
    )


def asc_leavers_not_in_previous_extract(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> list[Failure]:
    """ASC: a worker with a leave_date should be in the previous month's extract (same establishment). The
    previous extract may be current in raw or arrive in this same refresh (it is then in the frame)."""
    leavers = frame[frame["leave_date"].notna()] if "leave_date" in frame else frame.iloc[0:0]
    if leavers.empty:
        return []
    con = con.cursor()
    con.register(
        "quality_asc_leavers",
        _with_previous(leavers)[
            [
                "load_id",
                "source_row",
                "establishment_id",
                "previous_period",
                "worker_key",
                "start_date_in_role",
                "month_start",
            ]
        ],
    )
    con.register("quality_asc_batch", frame[["return_period", "establishment_id", "worker_key"]])
    rows = con.execute(
        """
        with extracts as (
            select return_period, establishment_id, worker_key from raw.asc_wds_workers
            union all
            select return_period, establishment_id, worker_key from quality_asc_batch
        )
        select f.load_id, f.source_row, f.previous_period
        from quality_asc_leavers as f
        where exists (select 1 from extracts as s where s.return_period = f.previous_period)
          and not exists (
                select 1 from extracts as s
                where s.return_period = f.previous_period and s.establishment_id = f.establishment_id
                  and s.worker_key = f.worker_key)
          and (f.start_date_in_role is null or f.start_date_in_role < f.month_start)
        """
    ).df()
    con.unregister("quality_asc_leavers")
    con.unregister("quality_asc_batch")
    return _failures(
        rows,
        "worker_id",
        "leaver not in previous staff in post",
        lambda r: (
            f"this leaver is not in the asc_wds_workers extract for {r.previous_period} at the same "
            "establishment; expected every leaver (who started before this month) in the previous month's extract"
        ),
    )


def pwr_against_esr(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> list[Failure]:
    """nhs_pwr substantive FTE per staff group within 10% of the ESR FTE (Permanent and Fixed Term Temp)."""
    if frame.empty:
        return []
    con = con.cursor()
    con.register(
        "quality_pwr", frame[["load_id", "source_row", "submitter", "return_period", "staff_group", "substantive_fte"]]
    )
    key = CROSSWALK_KEY_SQL  # staff groups compared as the crosswalk matches them (any case, '&' or 'and')
    rows = con.execute(
        f"""
        with snapshots as (
            select distinct s.submitter, s.return_period
            from raw.nhs_esr_staff as s
            inner join (select distinct submitter, return_period from quality_pwr) as p
                on s.submitter = p.submitter and s.return_period = p.return_period
        ),
        esr as (
            select s.submitter, s.return_period, {key.format("s.staff_group")} as staff_group_key, sum(s.fte) as fte
            from raw.nhs_esr_staff as s
            inner join snapshots as n on s.submitter = n.submitter and s.return_period = n.return_period
            where s.assignment_category in ('Permanent', 'Fixed Term Temp')
            group by all
        )
        select f.load_id, f.source_row, f.staff_group, f.substantive_fte, f.return_period,
               coalesce(e.fte, 0) as esr_fte
        from quality_pwr as f
        inner join snapshots as n on f.submitter = n.submitter and f.return_period = n.return_period
        left join esr as e
            on f.submitter = e.submitter and f.return_period = e.return_period
            and e.staff_group_key = {key.format("f.staff_group")}
        where f.substantive_fte is not null
          and abs(f.substantive_fte - coalesce(e.fte, 0)) > $tolerance * coalesce(e.fte, 0)
        """,
        {"tolerance": PWR_TOLERANCE},
    ).df()
    con.unregister("quality_pwr")

    def reason(r) -> str:
        gap = "" if not r.esr_fte else f" ({abs(r.substantive_fte - r.esr_fte) / r.esr_fte:.0%} apart)"
        return (
            f"substantive_fte {r.substantive_fte:g} for staff group '{r.staff_group}' differs from the "
            f"{r.esr_fte:.1f} FTE of Permanent and Fixed Term Temp assignments in your nhs_esr_staff return for "
            f"{r.return_period}{gap}; expected within {PWR_TOLERANCE:.0%} of it"
        )

    return _failures(rows, "substantive_fte", "pwr differs from ESR", reason)


AT_INGEST = {
    "nhs_esr_leavers": leavers_not_in_staff_in_post,
    "asc_wds_workers": asc_leavers_not_in_previous_extract,
    "nhs_pwr": pwr_against_esr,
}
# The raw tables each rule above reads besides its own: their sources are ingested first (asset deps).
AT_INGEST_READS = {
    "nhs_esr_leavers": ("nhs_esr_staff",),
    "nhs_pwr": ("nhs_esr_staff",),
}

# ---------------------------------------------------------------------------------------------------------
# After ingestion: organisations against the register and ODS, for every current return.

REGISTER_REASON = "is not in the ICS partner register"
ODS_REASON = "is not in the ODS list of NHS trusts"
PLACE_REASON = "is not the local_authority_code of its register place"


def _organisation_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """(load_id, org_code, first source_row) of every current return, one per organisation it covers."""
    parts = []
    for source in ("nhs_esr_staff", "nhs_esr_leavers", "nhs_recruitment", "nhs_pwr", "nhs_staff_survey", "nhs_wres"):
        parts.append(
            f"select '{source}' as source, 'NHS' as sector, load_id, submitter as org_code, "
            f"min(source_row) as source_row, 'org_code' as column_name from raw.{source} group by all"
        )
    for source in ("asc_wds_workers", "asc_wds_establishments"):
        parts.append(
            f"select '{source}' as source, 'Adult social care' as sector, load_id, trim(establishment_id), "
            f"min(source_row), 'establishment_id' from raw.{source} where establishment_id is not null group by all"
        )
    parts.append("select 'vcse_returns', 'VCSE', load_id, submitter, null, null from raw.vcse_returns group by all")
    return con.execute(" union all ".join(parts)).df()


def organisation_warnings(con: duckdb.DuckDBPyConnection, now) -> int:
    """Recompute the register and ODS warnings of every current return; returns the warnings in place.
    Earlier such warnings of current returns are replaced (the register may have changed since)."""
    partners = con.execute("select count(*) from raw.ics_partners").fetchone()[0]
    trusts = con.execute("select count(*) from raw.ods_trusts").fetchone()[0]
    organisations = _organisation_rows(con)
    con.register("quality_orgs", organisations)
    latest_register = con.execute("select max(return_period) from raw.ics_partners").fetchone()[0]
    found = con.execute(
        f"""
        with register as (
            select distinct trim(org_code) as org_code from raw.ics_partners
            where return_period = (select max(return_period) from raw.ics_partners)
        ),
        ods as (select distinct trim(org_code) as org_code from raw.ods_trusts)
        select o.load_id, l.source, l.period, l.submitter, l.file_name, o.source_row as row_number,
               o.column_name, o.org_code, 'register' as kind
        from quality_orgs as o inner join audit.load_log as l on o.load_id = l.load_id
        where {partners} > 0 and o.org_code not in (select org_code from register)
        union all
        select o.load_id, l.source, l.period, l.submitter, l.file_name, o.source_row, o.column_name, o.org_code,
               'ods'
        from quality_orgs as o inner join audit.load_log as l on o.load_id = l.load_id
        where {trusts} > 0 and o.sector = 'NHS' and o.org_code not in (select org_code from ods)
        """
    ).df()
    places = con.execute(
        """
        with register as (
            select trim(org_code) as org_code, coalesce(nullif(trim(place), ''), 'no place') as place,
                   upper(trim(local_authority_code)) as register_code
            from raw.ics_partners
            where return_period = (select max(return_period) from raw.ics_partners)
              and nullif(trim(local_authority_code), '') is not null
        )
        select e.load_id, l.source, l.period, l.submitter, l.file_name, min(e.source_row) as row_number,
               'local_authority_code' as column_name, trim(e.establishment_id) as org_code,
               upper(trim(e.local_authority_code)) as own_code, r.place, r.register_code, count(*) as n_rows
        from raw.asc_wds_establishments as e
        inner join audit.load_log as l on e.load_id = l.load_id
        inner join register as r on trim(e.establishment_id) = r.org_code
        where upper(trim(e.local_authority_code)) <> r.register_code
        group by all
        order by all
        """
    ).df()
    con.unregister("quality_orgs")
    con.execute("begin transaction")
    try:
        con.execute(
            f"""delete from audit.quarantine where severity = 'WARN'
            and (reason like '%{REGISTER_REASON}%' or reason like '%{ODS_REASON}%' or reason like '%{PLACE_REASON}%')
            and load_id in (select load_id from audit.load_log where is_current)"""
        )
        if len(found):
            found["reason"] = [
                f"organisation {r.org_code} {REGISTER_REASON} (ics_partners/{latest_register}); loaded under its own "
                "code and kept out of ICS totals; expected a register row for it, or the right code"
                if r.kind == "register"
                else f"organisation {r.org_code} {ODS_REASON} (ods_trusts); loaded under its own code; expected "
                "the trust's ODS code"
                for r in found.itertuples()
            ]
        if len(places):
            places["reason"] = [
                f"establishment {r.org_code}'s local_authority_code {r.own_code} {PLACE_REASON} "
                f"({r.place}, {r.register_code}, ics_partners/{latest_register})"
                + (f" ({r.n_rows} rows)" if r.n_rows > 1 else "")
                + "; loaded and reported under the register place; correct the return or the register"
                for r in places.itertuples()
            ]
            found = pd.concat([found, places.drop(columns=["own_code", "place", "register_code", "n_rows"])])
        if len(found):
            found["severity"] = "WARN"
            found["quarantined_at"] = now
            found = found.drop(columns=["org_code", "kind"], errors="ignore").astype({"row_number": "Int64"})
            con.register("quality_org_warnings", found)
            con.execute("insert into audit.quarantine by name select * from quality_org_warnings")
            con.unregister("quality_org_warnings")
        con.execute(
            """
            update audit.load_log set status = case
                when exists (select 1 from audit.quarantine as q where q.load_id = audit.load_log.load_id)
                then 'accepted with warnings' else 'accepted' end
            where is_current and status <> 'quarantined'
            """
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(found)
