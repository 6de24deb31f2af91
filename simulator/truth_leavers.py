"""Truth of the leaver data at sector and System level (metrics.md "Leaver data"), from the simulated events.

truth.compute_truth hands over its NHS and ASC leaver events (one per person leaving an organisation in a
month, the last-ended substantive assignment giving reason and destination) and the organisations whose
leaver window is complete (its org_months rows with leavers_12m known). Here each event gets its
categories from the simulated person (age at the leavers file's month, ethnic group, disability) and
assignment (reason through the crosswalk seed, destination, service from the earliest start ended that
month to the leaving date), and the reporting organisations' events of W = M-11 .. M are counted per
sector, profession ('All' included), dimension and category. `with_vcse_and_system` adds the VCSE reasons
(the aggregates module's truth of the Leaving reasons sheets, four quarters, the rest Unknown) and the
System rows (the sectors that collect the dimension; the VCSE in 'All' only). Nothing is suppressed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from . import config as C

SERVICE_BANDS = [(365.25, "<1"), (2 * 365.25, "1-2"), (5 * 365.25, "2-5"), (10 * 365.25, "5-10")]
WORK_LIFE_BALANCE = "Voluntary Resignation - Work Life Balance"


def _key(value: str) -> str:
    from .truth import matching_key  # the warehouse's crosswalk matching (truth imports this module)

    return matching_key(value)


def reason_crosswalk(reference: Path) -> dict[str, dict[str, str]]:
    """sector -> matching key of a source reason -> harmonised reason."""
    from .truth import _crosswalk

    return _crosswalk(reference, "leaving_reason_crosswalk.csv", "reason_category")


def _service_band(days: np.ndarray) -> np.ndarray:
    out = np.full(len(days), "10+", dtype=object)
    for limit, band in reversed(SERVICE_BANDS):
        out[days < limit] = band
    return out


def _age_band(months: list[str], t: np.ndarray, birth: np.ndarray) -> np.ndarray:
    ym = np.array([int(m[:4]) * 12 + int(m[5:]) - 1 for m in months], dtype=np.int64)[t]
    return np.array(C.AGE_BANDS, dtype=object)[np.searchsorted([25, 35, 45, 55, 65], (ym - birth) // 12, side="right")]


def _bad_reason_row(ended: pd.DataFrame, org: int, t: int) -> tuple[int, int] | None:
    """(emp, asn) of the leavers-file row the generator rewrites with a reason not in the crosswalk: the
    first non-bank Work Life Balance row of the organisation's file of month t, in file order, else (a file
    without one) its first row."""
    rows = ended[(ended["t"] == t) & (ended["org"] == org)].sort_values(["emp", "asn"])
    wlb = rows[(rows["cat"] != 2) & (rows["reason"] == C.NHS_REASONS_CROSSWALK.index(WORK_LIFE_BALANCE))]
    rows = wlb if len(wlb) else rows
    return None if rows.empty else (rows["emp"].iloc[0], int(rows["asn"].iloc[0]))


def nhs_events(lv, last, ended, people, months, cw, prof_names, bad_reason) -> pd.DataFrame:
    """NHS leaver events with their categories. bad_reason: (org index, t) of the messy reason, or None."""
    ev = lv.merge(last[["t", "morg", "pk", "org", "reason", "dest", "emp", "asn"]], on=["t", "morg", "pk"])
    reasons = np.array([cw["NHS"].get(_key(r), "Unknown") for r in C.NHS_REASONS_CROSSWALK], dtype=object)
    reason = reasons[ev["reason"].to_numpy()]
    if bad_reason is not None:
        row = _bad_reason_row(ended, *bad_reason)
        if row is not None:
            hit = (ev["org"] == bad_reason[0]) & (ev["t"] == bad_reason[1]) & (ev["emp"] == row[0])
            reason[(hit & (ev["asn"] == row[1])).to_numpy()] = "Unknown"
    pk = ev["pk"].to_numpy()
    return pd.DataFrame(
        {
            "t": ev["t"].to_numpy(),
            "morg": ev["morg"].to_numpy(),
            "profession": np.array(prof_names, dtype=object)[ev["prof"].to_numpy()],
            "pk": ev["pk"].to_numpy(),
            "reason": reason,
            "destination": np.array(C.DESTINATIONS, dtype=object)[ev["dest"].to_numpy()],
            "age_band": _age_band(months, ev["t"].to_numpy(), people["birth"][pk]),
            "ethnic_group": np.array(C.ETHNIC, dtype=object)[people["eth"][pk]],
            "disability": np.array(C.DISABILITY, dtype=object)[people["dis"][pk]],
            "service_band": _service_band((ev["leave"] - ev["start0"]).to_numpy()),
        }
    )


def asc_events(asc, me, people, months, cw, prof_names) -> pd.DataFrame:
    """ASC leaver events (a worker, not agency, whose leave date is in the extract's month)."""
    ev = asc[(asc["leave"].to_numpy() <= me[asc["t"].to_numpy()]) & (asc["ctype"] != 3)]
    reasons = np.array([cw["Adult social care"].get(_key(r), "Unknown") for r in C.ASC_REASONS], dtype=object)
    pid = ev["pid"].to_numpy()
    return pd.DataFrame(
        {
            "t": ev["t"].to_numpy(),
            "morg": ev["morg"].to_numpy(),
            "profession": np.array(prof_names, dtype=object)[ev["prof"].to_numpy()],
            "pk": ev["pk"].to_numpy(),
            "reason": reasons[np.maximum(ev["lreason"].to_numpy(), 0)],
            "age_band": _age_band(months, ev["t"].to_numpy(), people["birth"][pid]),
            "ethnic_group": np.array(C.ETHNIC, dtype=object)[people["eth"][pid]],
            "service_band": _service_band((ev["leave"] - ev["start"]).to_numpy()),
        }
    )


def sector_rows(events: dict[str, pd.DataFrame], org_names: list[str], org_months: list[dict], me, periods):
    """Sector leavers by profession, dimension and category over the reporting organisations, and coverage.

    events: sector -> events (morg is an index into org_names); periods: the month indexes to report."""
    rows, coverage = [], []
    for t in periods:
        period = str(np.datetime64(int(me[t]), "D"))
        for sector, ev in events.items():
            orgs = [
                r for r in org_months if r["period"] == period and r["sector"] == sector and r["profession"] == "All"
            ]
            reporting = {r["org_code"] for r in orgs if r["leavers_12m"] is not None}
            coverage.append(
                {"period": period, "sector": sector, "orgs_reporting": len(reporting), "orgs_expected": len(orgs)}
            )
            names = np.array(org_names, dtype=object)[ev["morg"].to_numpy()]
            w = ev[(ev["t"].to_numpy() > t - 12) & (ev["t"].to_numpy() <= t) & np.isin(names, list(reporting))]
            counts: Counter = Counter()
            for dimension in ("reason", "destination", "age_band", "ethnic_group", "disability", "service_band"):
                if dimension not in w:
                    continue
                for profession, category in zip(w["profession"], w[dimension], strict=True):
                    counts[(profession, dimension, category)] += 1
                    counts[("All", dimension, category)] += 1
            rows += [
                {"period": period, "sector": sector, "profession": p, "dimension": d, "category": c, "leavers_12m": n}
                for (p, d, c), n in sorted(counts.items())
            ]
    return {"sectors": rows, "coverage": coverage}


def _quarter_ends(period: str) -> list[str]:
    year, month = int(period[:4]), int(period[5:7])
    out = []
    for k in range(4):
        m = month - 3 * k
        y = year - (m <= 0)
        out.append(f"{y}-{(m - 1) % 12 + 1:02d}")
    return out


def vcse_reason_rows(vcse: dict, cw: dict[str, dict[str, str]]) -> tuple[list[dict], list[dict]]:
    """VCSE leavers by reason per organisation and quarter-end (organisations with the leavers known), and
    the sector's reporting count per quarter-end: the Leaving reasons sheets of the four quarters mapped
    through the crosswalk, the leavers no sheet explains as Unknown (a CSV sender sends no sheet)."""
    sheets: dict[tuple, Counter] = defaultdict(Counter)
    for r in vcse["leaving_reasons"]:
        sheets[(r["org_code"], r["quarter_end"][:7])][cw["VCSE"].get(_key(r["reason"]), "Unknown")] += r["count"]
    rows, coverage = [], Counter()
    for r in vcse["turnover"]:
        if r["leavers_12m"] is None:
            continue
        period = r["period"][:7]
        coverage[period] += 1
        reasons: Counter = Counter()
        if r["org_code"] not in vcse["csv_orgs"]:
            for quarter in _quarter_ends(period):
                reasons.update(sheets.get((r["org_code"], quarter), Counter()))
        reasons["Unknown"] += r["leavers_12m"] - sum(reasons.values())
        rows += [
            {"period": period, "org_code": r["org_code"], "category": c, "leavers_12m": n}
            for c, n in (+reasons).items()
        ]
    return rows, [{"period": p, "orgs_reporting": n} for p, n in sorted(coverage.items())]


def with_vcse_and_system(leavers: dict, vcse: dict | None, reference: Path) -> dict:
    """Add the VCSE sector's reasons and the System rows (sectors that collect the dimension) at the
    periods of the NHS and ASC truth."""
    cw = reason_crosswalk(reference)
    out = {"sectors": list(leavers["sectors"]), "coverage": list(leavers["coverage"])}
    periods = sorted({r["period"] for r in out["coverage"]})
    if vcse:
        org_rows, vcse_coverage = vcse_reason_rows(vcse, cw)
        reporting = {r["period"]: r["orgs_reporting"] for r in vcse_coverage}
        for period in periods:
            if int(period[5:7]) % 3:
                continue  # the VCSE reports at quarter-ends only
            total: Counter = Counter()
            for r in org_rows:
                if r["period"] == period[:7]:
                    total[r["category"]] += r["leavers_12m"]
            out["sectors"] += [
                {"period": period, "sector": "VCSE", "profession": "All", "dimension": "reason", "category": c}
                | {"leavers_12m": n}
                for c, n in sorted(total.items())
            ]
            out["coverage"].append({"period": period, "sector": "VCSE", "orgs_reporting": reporting.get(period[:7], 0)})
    system: Counter = Counter()
    for r in out["sectors"]:
        system[(r["period"], r["profession"], r["dimension"], r["category"])] += r["leavers_12m"]
    out["system"] = [
        {"period": p, "sector": "System", "profession": prof, "dimension": d, "category": c, "leavers_12m": n}
        for (p, prof, d, c), n in sorted(system.items())
    ]
    return out
