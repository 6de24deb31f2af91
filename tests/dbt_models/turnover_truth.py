"""Compare the published mart_turnover with the generator's truth.json (unsuppressed figures).

Counts must agree exactly, FTE and rates within 0.001. Disclosure control (metrics.md) is applied to the
truth here, by its own route: a count of 1 to 4 people must be NULL in the mart; a rate or share whose
people-count numerator or denominator is 1 to 4, or whose denominator is below 5, must be NULL; a median
over fewer than 5 people must be NULL; FTE figures are never suppressed (an FTE rate only when its
denominator is below 5). Denominators that truth.json does not carry are derived from its rates; where a
zero rate leaves the denominator unknown, either NULL or the truth's value is accepted ("undetermined").
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOLERANCE = 0.001
COUNTS = ("headcount", "joiners_12m", "leavers_12m", "internal_moves_12m", "system_leavers_12m")
FTES = ("fte", "leavers_fte_12m")
RATES = (
    "turnover_rate_12m",
    "system_turnover_rate_12m",
    "turnover_rate_fte_12m",
    "stability_index_12m",
    "early_leaver_share_12m",
    "median_service_years",
)
MART_COLUMNS = ("period", "sector", "org_code", "profession", *COUNTS, *FTES, *RATES, "is_suppressed")

PUBLISH, SUPPRESS, UNDETERMINED = "publish", "suppress", "undetermined"


def small(count: float | None) -> bool:
    return count is not None and 1 <= round(count) <= 4


@dataclass
class Agreement:
    compared: int = 0
    matched: int = 0
    exact: int = 0  # values published and equal (not NULL on both sides)
    suppressed: int = 0  # values NULL in the mart because disclosure control requires it
    undetermined: int = 0
    secondary: int = 0  # published by the rule, NULL on a suppressed row: hidden by secondary suppression
    mismatches: list[tuple] = field(default_factory=list)

    def record(self, ok: bool, key: tuple, column: str, truth, mart, kind: str, secondary: bool = False) -> None:
        self.compared += 1
        if ok and secondary:
            self.matched += 1
            self.secondary += 1
        elif ok:
            self.matched += 1
            if kind == PUBLISH and truth is not None:
                self.exact += 1
            elif kind == SUPPRESS:
                self.suppressed += 1
            elif kind == UNDETERMINED:
                self.undetermined += 1
        else:
            self.mismatches.append((key, column, truth, mart, kind))


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= TOLERANCE


def _turnover_denominator(t: dict) -> tuple[float | None, str]:
    """(headcount at M-12 + headcount at M) / 2, derived from the truth's rate; kind says how sure."""
    rate, leavers = t.get("turnover_rate_12m"), t.get("leavers_12m")
    if rate is None or leavers is None:
        return None, UNDETERMINED
    if rate > 0:
        return leavers / rate, PUBLISH
    # leavers 0: the denominator is at least half the current headcount
    headcount = t.get("headcount")
    if headcount is not None and headcount / 2 >= 5:
        return headcount / 2, PUBLISH
    return None, UNDETERMINED


def expected_kind(t: dict, column: str) -> str:
    """Whether disclosure control publishes (PUBLISH) or suppresses (SUPPRESS) the truth value."""
    value = t.get(column)
    if value is None:
        return PUBLISH  # NULL in truth must be NULL in the mart
    if column in COUNTS:
        return SUPPRESS if small(value) else PUBLISH
    if column in FTES:
        return PUBLISH
    if column == "median_service_years":
        headcount = t.get("headcount")
        return SUPPRESS if headcount is not None and headcount < 5 else PUBLISH
    den, sure = _turnover_denominator(t)
    if column in ("turnover_rate_12m", "system_turnover_rate_12m"):
        numerator = t["leavers_12m"] if column == "turnover_rate_12m" else t.get("system_leavers_12m")
        if small(numerator):
            return SUPPRESS
        if sure == UNDETERMINED:
            return UNDETERMINED
        return SUPPRESS if den < 5 else PUBLISH
    if column == "early_leaver_share_12m":
        leavers = t["leavers_12m"]
        early = value * leavers
        return SUPPRESS if small(early) or small(leavers) or leavers < 5 else PUBLISH
    if column == "stability_index_12m":
        if sure == UNDETERMINED or t.get("headcount") is None or t.get("turnover_rate_12m") in (None, 0):
            return UNDETERMINED
        base = 2 * den - t["headcount"]  # headcount at M-12
        stayers = value * base
        return SUPPRESS if small(stayers) or small(base) or base < 5 else PUBLISH
    if column == "turnover_rate_fte_12m":
        leavers_fte = t.get("leavers_fte_12m")
        if value > 0 and leavers_fte is not None:
            return SUPPRESS if leavers_fte / value < 5 else PUBLISH
        fte = t.get("fte")
        return PUBLISH if fte is not None and fte / 2 >= 5 else UNDETERMINED
    raise ValueError(column)


def compare_value(
    agreement: Agreement, key: tuple, column: str, truth, mart, kind: str, row_suppressed: bool = False
) -> None:
    """row_suppressed: the mart row's is_suppressed. Secondary suppression (metrics.md) may hide a value
    the primary rule publishes, and says so there; nothing else may be NULL where the truth has a value."""
    if kind != SUPPRESS and truth is not None and mart is None and row_suppressed:
        agreement.record(True, key, column, truth, mart, kind, secondary=True)
        return
    if kind == SUPPRESS:
        ok = mart is None
    elif kind == UNDETERMINED:
        ok = mart is None or close(truth, mart)
    elif column in COUNTS:
        ok = mart == truth
    else:
        ok = close(truth, mart)
    agreement.record(ok, key, column, truth, mart, kind)


def mart_rows(workspace) -> dict[tuple, dict]:
    rows = workspace.marts_query(f"select {', '.join(MART_COLUMNS)} from mart_turnover")
    return {(str(r[0]), r[1], r[2], r[3]): dict(zip(MART_COLUMNS, r, strict=True)) for r in rows}


def compare_org_months(workspace, truth: dict) -> Agreement:
    """Every figure of truth['org_months'] (NHS and ASC person records) against the published mart."""
    rows = mart_rows(workspace)
    agreement = Agreement()
    for t in truth["org_months"]:
        key = (t["period"], t["sector"], t["org_code"], t["profession"])
        m = rows.get(key, {})
        for column in (*COUNTS, *FTES, *RATES):
            kind = expected_kind(t, column)
            compare_value(agreement, key, column, t.get(column), m.get(column), kind, bool(m.get("is_suppressed")))
    return agreement


def _quarter_ends(period: str) -> list[str]:
    year, month = int(period[:4]), int(period[5:7])
    out = []
    for back in (0, 3, 6, 9, 12):
        y, m = year, month - back
        while m <= 0:
            y, m = y - 1, m + 12
        out.append(f"{y:04d}-{m:02d}")
    return out


def vcse_status_disagreements(workspace, truth: dict) -> set[tuple[str, str]]:
    """(org, quarter) whose return truth says was not accepted but the warehouse took in: a matter for
    ingestion, so the 12-month windows over them are left out of the turnover comparison."""
    accepted = {
        (r[0], r[1])
        for r in workspace.warehouse_query(
            "select submitter, period from audit.load_log where source = 'vcse_returns' and is_current "
            "and status in ('accepted', 'accepted with warnings')"
        )
    }
    return {
        (r["org_code"], r["quarter_end"])
        for r in truth["vcse"]["returns"]
        if r["status"] not in ("accepted", "accepted with warnings") and (r["org_code"], r["quarter_end"]) in accepted
    }


def _rate_kind(rate: float | None, numerator: float | None, denominator: float | None) -> str:
    if rate is None:
        return PUBLISH
    return SUPPRESS if small(numerator) or small(denominator) or denominator < 5 else PUBLISH


def compare_vcse(workspace, truth: dict) -> tuple[Agreement, int]:
    rows = workspace.marts_query(
        "select strftime(period, '%Y-%m'), org_code, joiners_12m, leavers_12m, turnover_rate_12m, "
        "early_leaver_share_12m, is_suppressed from mart_turnover where sector = 'VCSE' and profession = 'All'"
    )
    mart = {(r[0], r[1]): r[2:] for r in rows}
    skip = vcse_status_disagreements(workspace, truth)
    agreement, skipped = Agreement(), 0
    for t in truth["vcse"]["turnover"]:
        if any((t["org_code"], q) in skip for q in _quarter_ends(t["period"])):
            skipped += 1
            continue
        key = (t["period"], "VCSE", t["org_code"], "All")
        joiners, leavers, rate, share, hidden = mart.get((t["period"], t["org_code"]), (None,) * 4 + (False,))
        for column, truth_value, mart_value in (
            ("joiners_12m", t["joiners_12m"], joiners),
            ("leavers_12m", t["leavers_12m"], leavers),
        ):
            kind = SUPPRESS if small(truth_value) else PUBLISH
            compare_value(agreement, key, column, truth_value, mart_value, kind, hidden)
        start, end, n = t["headcount_start"], t["headcount_end"], t["leavers_12m"]
        den = None if start is None or end is None else (start + end) / 2
        rate_t = t["turnover_rate_12m"]
        kind = _rate_kind(rate_t, n, den)
        compare_value(agreement, key, "turnover_rate_12m", rate_t, rate, kind, hidden)
        share_t = t["early_leaver_share_12m"]
        kind = _rate_kind(share_t, t["leavers_under_12_months_12m"], n)
        compare_value(agreement, key, "early_leaver_share_12m", share_t, share, kind, hidden)
    return agreement, skipped


def describe(agreement: Agreement) -> str:
    head = (
        f"{agreement.matched}/{agreement.compared} figures agree ({agreement.exact} published and equal, "
        f"{agreement.suppressed} suppressed as required, {agreement.secondary} hidden by secondary suppression, "
        f"{agreement.undetermined} undetermined)"
    )
    return "\n".join([head, *(str(m) for m in agreement.mismatches[:30])])
