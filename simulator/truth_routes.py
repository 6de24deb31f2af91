"""Truth of mart_entry_routes (issue #23; metrics.md "How people enter and stay"), from the simulated events
and none of the warehouse's code, at the demo's month-ends M = 12, 13 and the sampled periods from 12 on.

- Joinings: a person in O's staff in post at m and not at m-1 (O the final merger successor; ASC the
  establishment), per profession held at m and once under 'All'; their route in this order: 'Retire and
  return' (a retirement leaver of any partner in m-12 .. m, truth.compute_truth's leaver events with the
  harmonised reason), 'Apprentice' / 'International recruit' (the person's drawn route, simulator/routes.py,
  where a file the joining came on carries the optional columns), else 'Other'. joiners_12m: joinings of
  M-11 .. M.
- Cohort at M: O's joinings of M-23 .. M-12, each (O, profession, person) once at their first month j;
  retained_org_12m: in O's staff in post at j+12; retained_system_12m: in any partner's snapshot at j+12
  (staff in post or NHS bank, files that arrived), so a move to another partner is retained.
- retire_and_return_12m (route 'All'): retirement leavers of O in M-11 .. M who are in any partner's snapshot
  at one of the month-ends m .. m+11 after leaving in m; is_provisional while m+11 is after the last month.

A figure needs O's returns complete (every constituent that was a register member sent them): over
M-12 .. M for joiners, also over M-24 .. M-12 for the cohort, the staff and leavers returns over M-12 .. M
for retire and return; otherwise it is None. Sector rows (org_code 'ICS') and the System sum the register
partners' known figures. Written to truth.json under `entry_routes`: one row per (period, sector, org_code,
profession, route) with a non-zero or unknown figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .routes import RouteFlags, sends
from .util import month_end_day

ROUTE_NAMES = {0: "Other", 1: "Apprentice", 2: "International recruit"}
FIGURES = ("joiners_12m", "cohort_12m", "retained_org_12m", "retained_system_12m", "retire_and_return_12m")
NHS, ASC = "NHS", "Adult social care"
STAFF = {NHS: ("nhs_esr_staff",), ASC: ("asc_wds_workers",)}
LEAVERS = {NHS: ("nhs_esr_staff", "nhs_esr_leavers"), ASC: ("asc_wds_workers",)}
KEY = ["sector", "morg", "prof", "route"]


def _completeness(register: pd.DataFrame, nhs: pd.DataFrame, avail: set, months: list[str]):
    """complete(sector, org, t, sources): every return of the sources arrived for M-12 .. M (M = t) from the
    organisation's constituents that were register members at each month-end (ASC: the one extract)."""
    reg = register.fillna("")
    span = {r.org_code: (r.start_date or "0000", r.end_date or "9999") for r in reg.itertuples()}
    ends = [str(np.datetime64(month_end_day(m), "D")) for m in months]
    constituents = nhs.groupby("morg")["code"].unique().to_dict()

    def complete(sector: str, org: str, t: int, sources: tuple[str, ...]) -> bool:
        if t < 12:
            return False
        codes = ["*"] if sector == ASC else list(constituents.get(org, [org]))
        for tt in range(t - 12, t + 1):
            for code in codes:
                first, last = span.get(code, ("0000", "9999"))
                if code != "*" and not first <= ends[tt] <= last:
                    continue
                if any((source, code, tt) not in avail for source in sources):
                    return False
        return True

    return complete


def _joinings(sip: pd.DataFrame, retired: pd.DataFrame, flags: RouteFlags) -> tuple[pd.DataFrame, set]:
    """Joinings (t, sector, morg, pk, prof, route), profession 'All' included, and the (t, morg, pk) of staff
    in post."""
    people = sip.groupby(["t", "sector", "morg", "pk", "prof"], as_index=False).agg(
        pid=("pid", "first"), sent=("sent", "any")
    )
    everyone = people.groupby(["t", "sector", "morg", "pk"], as_index=False).agg(
        pid=("pid", "first"), sent=("sent", "any")
    )
    in_org = set(zip(everyone["t"], everyone["morg"], everyone["pk"], strict=True))
    joinings = pd.concat([people, everyone.assign(prof="All")], ignore_index=True)
    stayed = [(t - 1, o, k) in in_org for t, o, k in zip(joinings["t"], joinings["morg"], joinings["pk"], strict=True)]
    joinings = joinings[~np.array(stayed, bool) & (joinings["t"] > 0)].reset_index(drop=True)
    route = np.where(joinings["sent"], flags.route[joinings["pid"].to_numpy()], 0)
    names = np.array([ROUTE_NAMES[r] for r in route], dtype=object)
    pairs = joinings[["t", "pk"]].reset_index().merge(retired[["t", "pk"]], on="pk", suffixes=("", "_r"))
    names[pairs[(pairs["t_r"] <= pairs["t"]) & (pairs["t_r"] >= pairs["t"] - 12)]["index"].unique()] = (
        "Retire and return"
    )
    return joinings.assign(route=names), in_org


def _figures(t: int, joinings: pd.DataFrame, in_org: set, in_system: set, retired: pd.DataFrame) -> pd.DataFrame:
    """Every organisation's figures at month t before completeness, per KEY, route 'All' included."""
    joiners = joinings[(joinings["t"] > t - 12) & (joinings["t"] <= t)].groupby(KEY).size().rename("joiners_12m")
    cohort = joinings[(joinings["t"] >= t - 23) & (joinings["t"] <= t - 12)].sort_values("t", kind="stable")
    cohort = cohort.drop_duplicates(["morg", "prof", "pk"])
    later = list(zip(cohort["t"] + 12, cohort["morg"], cohort["pk"], strict=True))
    cohort = cohort.assign(
        retained_org_12m=[(j, o, k) in in_org for j, o, k in later],
        retained_system_12m=[(j, k) in in_system for j, _, k in later],
    )
    cohorts = cohort.groupby(KEY).agg(
        cohort_12m=("pk", "size"),
        retained_org_12m=("retained_org_12m", "sum"),
        retained_system_12m=("retained_system_12m", "sum"),
    )
    by_route = pd.concat([joiners, cohorts], axis=1).fillna(0)
    all_routes = by_route.groupby(level=["sector", "morg", "prof"]).sum().assign(route="All")
    left = retired[(retired["t"] > t - 12) & (retired["t"] <= t)]
    left = pd.concat([left, left.assign(profession="All")]).rename(columns={"profession": "prof"})
    returns = (
        left.assign(route="All")
        .groupby(KEY)
        .agg(retire_and_return_12m=("returned", "sum"), is_provisional=("provisional", "any"))
    )
    figures = pd.concat([by_route, all_routes.set_index("route", append=True)])
    figures = pd.concat([figures, returns], axis=1).reset_index()
    figures[list(FIGURES)] = figures[list(FIGURES)].fillna(0).astype(int)
    return figures.assign(is_provisional=figures["is_provisional"].fillna(False).astype(bool))


def entry_route_truth(ji, avail, register, est_ids, reference, flags: RouteFlags, leaver_events, samples) -> list[dict]:
    """ji: truth_joiners.JoinerTruthInput (the simulated snapshots); leaver_events: truth.compute_truth's,
    per sector, with the reporting organisation's code in `morg`; samples: the sampled month indexes."""
    from .truth_joiners import staff_frames

    nhs, asc = staff_frames(ji, avail, register, est_ids, reference)
    partners = set(register["org_code"])
    columns = ["t", "sector", "morg", "pk", "pid", "prof", "code"]
    sip = pd.concat(
        [nhs[nhs["sip"]].assign(sector=NHS)[columns], asc[asc["sip"]].assign(sector=ASC)[columns]],
        ignore_index=True,
    )
    sip["sent"] = sip["code"].map(sends).astype(bool)
    # who is in any partner's snapshot at a month-end: staff in post and NHS bank, of files that arrived
    snapshots = pd.concat([nhs[nhs["arrived"]], sip[sip["sector"] == ASC]], ignore_index=True)
    snapshots = snapshots[snapshots["morg"].isin(partners)]
    in_system = set(zip(snapshots["t"], snapshots["pk"], strict=True))
    retired = pd.concat([ev.assign(sector=sector) for sector, ev in leaver_events.items()], ignore_index=True)
    retired = retired[(retired["reason"] == "Retirement") & retired["morg"].isin(partners)]
    last = len(ji.months) - 1
    retired = retired.assign(
        returned=[
            any((m, k) in in_system for m in range(t, t + 12)) for t, k in zip(retired["t"], retired["pk"], strict=True)
        ],
        provisional=retired["t"] + 11 > last,
    )
    joinings, in_org = _joinings(sip, retired, flags)
    complete = _completeness(register, nhs, avail, ji.months)
    rows: list[dict] = []
    for t in sorted({12, 13, *(s for s in samples if s >= 12)}):
        period = str(np.datetime64(month_end_day(ji.months[t]), "D"))
        org_rows = []
        for f in _figures(t, joinings, in_org, in_system, retired).to_dict("records"):
            sector, org = f["sector"], f["morg"]
            staff = complete(sector, org, t, STAFF[sector])
            cohort = staff and complete(sector, org, t - 12, STAFF[sector])
            leavers = f["route"] == "All" and complete(sector, org, t, LEAVERS[sector])
            row = {"period": period, "sector": sector, "org_code": org, "profession": f["prof"], "route": f["route"]}
            row["joiners_12m"] = f["joiners_12m"] if staff else None
            for name in ("cohort_12m", "retained_org_12m", "retained_system_12m"):
                row[name] = f[name] if cohort else None
            row["retire_and_return_12m"] = f["retire_and_return_12m"] if leavers else None
            row["is_provisional"] = bool(leavers and f["is_provisional"])
            org_rows.append(row)
        rows += org_rows + _ics_rows([r for r in org_rows if r["org_code"] in partners])
    # a row of zeros still says something when it is provisional (a retirement whose year is not yet seen)
    return [r for r in rows if r["is_provisional"] or any(r[name] != 0 for name in FIGURES)]


def _ics_rows(org_rows: list[dict]) -> list[dict]:
    """Sector rows (org_code 'ICS') and System rows: sums of the organisations' known figures."""
    sums: dict[tuple, dict] = {}
    for r in org_rows:
        for sector in (r["sector"], "System"):
            k = (r["period"], sector, r["profession"], r["route"])
            total = sums.setdefault(
                k,
                {"period": k[0], "sector": sector, "org_code": "ICS", "profession": k[2], "route": k[3]}
                | dict.fromkeys(FIGURES, 0)
                | {"is_provisional": False},
            )
            for name in FIGURES:
                total[name] += r[name] or 0
            total["is_provisional"] |= r["is_provisional"]
    return list(sums.values())
