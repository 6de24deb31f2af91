"""The truth: KPI figures computed from the simulated events, following metrics.md and decisions.md.

Inputs are the in-memory records the simulation produced (snapshots, ended assignments, extract rows,
pwr figures, recruitment rows) plus the facts about which returns exist (the missing one is
unavailable, the corrected resubmission counts as its v2). Nothing here reads the written files and
nothing imports the warehouse: the tests recompute the same figures from the files by their own route.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config as C
from . import truth_leavers
from .engine import MonthOut, People
from .util import date_to_day, isin, month_end_day, plus_12_months, unique

SYSTEM_KPIS = [
    "joiners_12m",
    "leavers_12m",
    "turnover_rate_12m",
    "system_turnover_rate_12m",
    "stability_index_12m",
    "early_leaver_share_12m",
    "vacancy_rate",
    "bank_agency_share",
    "sickness_rate",
]


@dataclass
class TruthInput:
    months: list[str]
    codes: list[str]  # NHS trust codes (sim org index -> code)
    est_ids: list[str]
    nhs_sip: list[pd.DataFrame] = field(default_factory=list)
    nhs_ended: list[pd.DataFrame] = field(default_factory=list)
    asc: list[pd.DataFrame] = field(default_factory=list)
    asc_vac: list[pd.DataFrame] = field(default_factory=list)
    pwr: list[pd.DataFrame] = field(default_factory=list)
    rec: list[pd.DataFrame] = field(default_factory=list)
    avail: set = field(default_factory=set)  # (source, code, t)
    people: People | None = None  # the simulated people (engine.People: birth, eth, dis), for truth_leavers
    bad_reason: tuple[str, int] | None = None  # (code, t) of the leavers file with a reason not in the crosswalk

    def add_month(self, mo: MonthOut, written: list[tuple[str, str]], sick: np.ndarray) -> None:
        t = mo.t
        S = mo.nhs_snap
        sub = S["cat"] != 2
        self.nhs_sip.append(
            pd.DataFrame(
                {
                    "t": t,
                    "org": S["org"][sub].astype(np.int64),
                    "pk": S["pid"][sub],
                    "sg": S["sg"][sub].astype(int),
                    "fte": S["fte"][sub].astype(np.int64),
                    "start": S["start"][sub].astype(np.int64),
                }
            )
        )
        E = mo.nhs_ended
        self.nhs_ended.append(
            pd.DataFrame(
                {
                    "t": t,
                    "org": E["org"].astype(np.int64),
                    "pk": E["pid"],
                    "cat": E["cat"].astype(int),
                    "sg": E["sg"].astype(int),
                    "fte": E["fte"].astype(np.int64),
                    "start": E["start"].astype(np.int64),
                    "end": E["end"].astype(np.int64),
                    "uid": E["uid"],
                    "emp": E["emp"],
                    "asn": E["asn"].astype(int),
                    "reason": E["reason"].astype(int),
                    "dest": E["dest"].astype(int),
                }
            )
        )
        X = mo.asc_ext
        pk = np.where(X["nif"] == 0, -1 - X["wid"], X["pid"])
        self.asc.append(
            pd.DataFrame(
                {
                    "t": t,
                    "org": X["org"].astype(np.int64),
                    "pk": pk,
                    "role": X["role"].astype(int),
                    "ctype": X["ctype"].astype(int),
                    "hours": X["hours"].astype(np.int64),
                    "start": X["start"].astype(np.int64),
                    "leave": X["leave"].astype(np.int64),
                    "sick": sick,
                    "pid": X["pid"],
                    "lreason": X["lreason"].astype(int),
                }
            )
        )
        v = mo.asc_vac.copy()
        v["t"] = t
        self.asc_vac.append(v)
        p = mo.pwr.copy()
        p["t"] = t
        self.pwr.append(p)
        r = mo.rec
        r = r[r["outcome"] == 0]
        self.rec.append(
            pd.DataFrame(
                {
                    "t": t,
                    "org": r["org"].astype(np.int64),
                    "sg": r["sg"].astype(int),
                    "days": (r["start"] - r["approved"]).astype(float),
                }
            )
        )
        for src, code in written:
            self.avail.add((src, code, t))
        for src in ("asc_wds_workers", "asc_wds_establishments"):
            self.avail.add((src, "*", t))


def matching_key(value: str) -> str:
    """How the warehouse matches a value against a crosswalk (returns.md): case, spaces and '&'/'and' ignored."""
    return " ".join(value.replace("&", " and ").lower().split())


def _crosswalk(reference: Path, name: str = "profession_crosswalk.csv", column: str = "profession") -> dict:
    """sector -> matching key of a source value -> profession (or the column of another crosswalk seed)."""
    cw = pd.read_csv(reference / name, dtype=str)
    out: dict[str, dict[str, str]] = {}
    for r in cw.itertuples():
        out.setdefault(r.sector.strip(), {})[matching_key(r.source_value)] = getattr(r, column).strip()
    return out


def _none(x):
    if x is None:
        return None
    if isinstance(x, float) and np.isnan(x):
        return None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    return x


def _ratio(n, d):
    if n is None or d is None or d == 0:
        return None
    return float(n) / float(d)


class _Sector:
    """Monthly figures of one sector as dense arrays [organisation, profession (+ All), month]."""

    def __init__(self, T: int, org_ix: dict[str, int], prof_ix: dict[str, int]):
        self.T = T
        self.org_ix, self.prof_ix = org_ix, prof_ix
        self.shape = (max(org_ix.values()) + 1, max(prof_ix.values()) + 1, T)
        self.arr: dict[str, np.ndarray] = {}

    def put(self, name: str, df: pd.DataFrame, col: str) -> None:
        v = df[col].to_numpy()
        is_int = np.issubdtype(v.dtype, np.integer)
        a = np.full(self.shape, -1, np.int64) if is_int else np.full(self.shape, np.nan)
        a[df["morg"].to_numpy(), df["prof"].to_numpy(), df["t"].to_numpy()] = v
        self.arr[name] = a

    def get(self, name: str, morg: str, prof: str, t: int, default=None):
        if t < 0 or t >= self.T:
            return default
        v = self.arr[name][self.org_ix[morg], self.prof_ix[prof], t]
        if np.issubdtype(type(v), np.integer):
            return default if v < 0 else int(v)
        return default if np.isnan(v) else float(v)


def _grp(df: pd.DataFrame, cols, how: str, all_code: int) -> pd.DataFrame:
    """Aggregate per (morg, prof, t) and per (morg, t) as profession `all_code`."""
    a = df.groupby(["morg", "prof", "t"], as_index=False)[cols].agg(how)
    b = df.groupby(["morg", "t"], as_index=False)[cols].agg(how)
    b["prof"] = all_code
    return pd.concat([a, b], ignore_index=True)


def compute_truth(ti: TruthInput, register: pd.DataFrame, sample: list[str], reference: Path) -> dict:
    months = ti.months
    T = len(months)
    me = np.array([month_end_day(m) for m in months], dtype=np.int64)
    cw = _crosswalk(reference)
    prof_names = sorted({p for d in cw.values() for p in d.values()} | {"Unknown"})
    prof_ix = {p: i for i, p in enumerate(prof_names)}
    ALL = len(prof_names)
    prof_ix["All"] = ALL
    sg_prof = np.array([prof_ix[cw["NHS"].get(matching_key(g), "Unknown")] for g in C.STAFF_GROUPS], dtype=np.int64)
    role_prof = np.array(
        [prof_ix[cw["Adult social care"].get(matching_key(r), "Unknown")] for r in C.ASC_ROLES], dtype=np.int64
    )

    # ---------------- register: successor mapping and membership
    reg = register.fillna("")
    succ = {r.org_code: r.successor_code for r in reg.itertuples() if r.successor_code}

    def final(code: str) -> str:
        seen = set()
        while code in succ and code not in seen:
            seen.add(code)
            code = succ[code]
        return code

    span = {
        r.org_code: (
            date_to_day(r.start_date) if r.start_date else -(10**9),
            date_to_day(r.end_date) if r.end_date else 10**9,
        )
        for r in reg.itertuples()
    }

    def member(code: str, t: int) -> bool:
        if code not in span:
            return False
        if t < 0:
            return True  # before the first period: a member without returns (so windows are NULL)
        s, e = span[code]
        return s <= me[t] <= e

    nhs_codes = list(ti.codes)
    morg_of = {c: final(c) for c in nhs_codes}
    constituents: dict[str, list[str]] = {}
    for c in nhs_codes:
        constituents.setdefault(morg_of[c], []).append(c)
    nhs_morgs = sorted({m for m in morg_of.values() if m in set(reg["org_code"])})
    morg_names = sorted(set(morg_of.values())) + list(ti.est_ids)
    org_ix = {m: i for i, m in enumerate(morg_names)}
    n_nhs = len(morg_names) - len(ti.est_ids)
    morg_arr = np.array([org_ix[morg_of[c]] for c in nhs_codes], dtype=np.int64)

    @functools.cache
    def nhs_avail(morg: str, t: int, sources: tuple[str, ...]) -> bool:
        if t < 0 or t >= T:
            return False
        for c in constituents[morg]:
            if member(c, t):
                for s in sources:
                    if (s, c, t) not in ti.avail:
                        return False
        return True

    def asc_avail(t: int, sources: tuple[str, ...]) -> bool:
        if t < 0 or t >= T:
            return False
        return all((s, "*", t) in ti.avail for s in sources)

    # ================================================================ NHS
    sip = pd.concat(ti.nhs_sip, ignore_index=True)
    ti.nhs_sip.clear()
    sip["morg"] = morg_arr[sip["org"].to_numpy()]
    sip["prof"] = sg_prof[sip["sg"].to_numpy()]
    ended = pd.concat(ti.nhs_ended, ignore_index=True)
    ti.nhs_ended.clear()
    ended["morg"] = morg_arr[ended["org"].to_numpy()]
    ended["prof"] = sg_prof[ended["sg"].to_numpy()]

    nhs = _point_tables(sip, T, me, _Sector(T, org_ix, prof_ix), ALL)
    # leavers: a substantive assignment ended in m and no substantive assignment in the snapshot of m
    in_sip = sip[["t", "morg", "pk"]].drop_duplicates()
    sub_end = ended[ended["cat"] != 2]
    cand = sub_end[["t", "morg", "pk"]].drop_duplicates().merge(in_sip, how="left", indicator=True)
    cand = cand[cand["_merge"] == "left_only"].drop(columns="_merge")
    se = sub_end.merge(cand, on=["t", "morg", "pk"])
    se = se.sort_values(["t", "morg", "pk", "end", "emp", "asn"])
    last = se.groupby(["t", "morg", "pk"], sort=False).tail(1)
    fte_sum = se.groupby(["t", "morg", "pk"])["fte"].sum().rename("lfte")
    allend = ended.merge(cand, on=["t", "morg", "pk"])
    start0 = allend.groupby(["t", "morg", "pk"])["start"].min().rename("start0")
    lv = last[["t", "morg", "pk", "prof", "end"]].merge(fte_sum.reset_index()).merge(start0.reset_index())
    lv = lv.rename(columns={"end": "leave"})
    # snapshots available for the internal-move test (per constituent code)
    staff_ok = np.zeros((len(nhs_codes), T), bool)
    for src, c, t in ti.avail:
        if src == "nhs_esr_staff":
            staff_ok[nhs_codes.index(c), t] = True
    sip_av = sip[staff_ok[sip["org"].to_numpy(), sip["t"].to_numpy()]]

    # ================================================================ ASC
    asc = pd.concat(ti.asc, ignore_index=True)
    ti.asc.clear()
    asc["morg"] = asc["org"].to_numpy() + n_nhs
    asc["prof"] = role_prof[asc["role"].to_numpy()]
    in_post = asc[asc["leave"].to_numpy() > me[asc["t"].to_numpy()]]
    asc_sip = in_post[in_post["ctype"] != 3].copy()
    h = asc_sip["hours"].to_numpy()
    asc_sip["fte"] = np.where(h >= 0, np.minimum(h / 375.0, 1.0), 0.0)
    asc_tab = _point_tables(asc_sip, T, me, _Sector(T, org_ix, prof_ix), ALL)
    lva = asc[(asc["leave"].to_numpy() <= me[asc["t"].to_numpy()]) & (asc["ctype"] != 3)]
    lva = lva[["t", "morg", "pk", "prof", "leave", "start"]].rename(columns={"start": "start0"})
    lva = lva.assign(lfte=0)

    # internal moves, across sectors, from the snapshots available
    allsip = pd.concat([sip_av[["t", "morg", "pk"]], asc_sip[["t", "morg", "pk"]]]).drop_duplicates()
    lv = _flag_moves(lv, allsip, T)
    lva = _flag_moves(lva, allsip, T)
    for tab, L in ((nhs, lv), (asc_tab, lva)):
        L = L.copy()
        L["early"] = (L["leave"].to_numpy() < plus_12_months(L["start0"].to_numpy())).astype(int)
        L["n"] = 1
        g = _grp(L, ["n", "lfte", "early", "move"], "sum", ALL)
        for col, name in (("n", "leavers"), ("lfte", "leavers_fte"), ("early", "early"), ("move", "moves")):
            tab.put(name, g, col)

    # NHS pwr and recruitment
    pwr = pd.concat(ti.pwr, ignore_index=True)
    pwr["morg"] = morg_arr[pwr["org"].to_numpy()]
    pwr["prof"] = sg_prof[pwr["sg"].to_numpy()]
    cols = ["substantive", "bank", "agency", "vacancy", "lost", "avail"]
    g = _grp(pwr, cols, "sum", ALL)
    for c in cols:
        nhs.put("pwr_" + c, g, c)
    rec = pd.concat(ti.rec, ignore_index=True)
    rec["morg"] = morg_arr[rec["org"].to_numpy()]
    rec["prof"] = sg_prof[rec["sg"].to_numpy()]
    g = _grp(rec, ["days"], "median", ALL)
    nhs.put("median_days", g, "days")
    # ASC vacancies, bank/agency, sickness days
    av = pd.concat(ti.asc_vac, ignore_index=True)
    av["morg"] = av["org"].to_numpy() + n_nhs
    av["prof"] = role_prof[av["role"].to_numpy()]
    g = _grp(av, ["vacancies"], "sum", ALL)
    asc_tab.put("vacancies", g, "vacancies")
    ip = in_post.assign(ba=in_post["ctype"].isin([2, 3]).astype(int), n=1)
    g = _grp(ip, ["ba", "n"], "sum", ALL)
    asc_tab.put("ba", g, "ba")
    asc_tab.put("inpost", g, "n")
    g = _grp(asc_sip, ["sick"], "mean", ALL)
    asc_tab.put("sick_mean", g, "sick")

    # ================================================================ figures per (org, prof, period)
    def figures(sector: str, tab: _Sector, morg: str, prof: str, t: int) -> dict:
        is_nhs = sector == "NHS"

        def av(tt: int, srcs: tuple[str, ...]) -> bool:
            return nhs_avail(morg, tt, srcs) if is_nhs else asc_avail(tt, srcs)

        staff_src = ("nhs_esr_staff",) if is_nhs else ("asc_wds_workers",)
        lv_src = ("nhs_esr_staff", "nhs_esr_leavers") if is_nhs else ("asc_wds_workers",)
        win = range(t - 12, t + 1)
        ok_staff12 = all(av(x, staff_src) for x in win)
        ok_lv12 = all(av(x, lv_src) for x in win)

        def g(name, tt, default=0):
            return tab.get(name, morg, prof, tt, default)

        def s12(name):
            return sum(g(name, x) for x in range(t - 11, t + 1))

        f: dict = {
            "sector": sector,
            "org_code": morg,
            "period": str(np.datetime64(int(me[t]), "D")),
            "profession": prof,
        }
        ok_t = av(t, staff_src)
        f["headcount"] = g("hc", t) if ok_t else None
        fte = g("fte", t, 0)
        f["fte"] = (fte / 100 if is_nhs else float(fte)) if ok_t else None
        joiners_12 = s12("joiners") if ok_staff12 else None
        f["joiners_12m"] = joiners_12
        leavers_12 = s12("leavers") if ok_lv12 else None
        f["leavers_12m"] = leavers_12
        f["leavers_fte_12m"] = (s12("leavers_fte") / 100 if ok_lv12 else None) if is_nhs else None
        den = (g("hc", t - 12) + g("hc", t)) / 2 if ok_lv12 else None
        f["turnover_rate_12m"] = _ratio(leavers_12, den)
        if is_nhs:
            fden = (g("fte", t - 12) + g("fte", t)) / 200 if ok_lv12 else None
            f["turnover_rate_fte_12m"] = _ratio(f["leavers_fte_12m"], fden)
        else:
            f["turnover_rate_fte_12m"] = None
        f["stability_index_12m"] = _ratio(g("stay", t), g("hc", t - 12)) if ok_staff12 else None
        f["early_leaver_share_12m"] = _ratio(s12("early"), leavers_12) if ok_lv12 else None
        f["median_service_years"] = _none(g("med_service", t, None)) if ok_t else None
        moves = s12("moves") if ok_lv12 else None
        f["internal_moves_12m"] = moves
        f["system_leavers_12m"] = leavers_12 - moves if ok_lv12 else None
        f["system_turnover_rate_12m"] = _ratio(f["system_leavers_12m"], den)
        if is_nhs:
            okp = av(t, ("nhs_pwr",))
            sub, vac = g("pwr_substantive", t), g("pwr_vacancy", t)
            bank, agency = g("pwr_bank", t), g("pwr_agency", t)
            f["vacancy_rate"] = _ratio(vac, vac + sub) if okp else None
            f["bank_agency_share"] = _ratio(bank + agency, sub + bank + agency) if okp else None
            f["sickness_rate"] = _ratio(g("pwr_lost", t), g("pwr_avail", t)) if okp else None
            f["avg_sick_days_12m"] = None
            f["median_days_to_hire"] = _none(g("median_days", t, None)) if av(t, ("nhs_recruitment",)) else None
        else:
            okv = av(t, ("asc_wds_workers", "asc_wds_establishments"))
            vac = g("vacancies", t)
            f["vacancy_rate"] = _ratio(vac, vac + g("hc", t)) if okv else None
            f["bank_agency_share"] = _ratio(g("ba", t), g("inpost", t)) if ok_t else None
            f["sickness_rate"] = None
            f["avg_sick_days_12m"] = _none(g("sick_mean", t, None)) if ok_t else None
            f["median_days_to_hire"] = None
        f["joiners"] = g("joiners", t) if (av(t, staff_src) and av(t - 1, staff_src)) else None
        f["leavers"] = g("leavers", t) if av(t, lv_src) else None
        # parts for sector sums (not published per org)
        f["_parts"] = _parts(is_nhs, tab, morg, t, g, ok_lv12, ok_staff12, ok_t, av)
        return {k: _none(v) if not isinstance(v, dict) else v for k, v in f.items()}

    sample_t = [months.index(p) for p in sample]
    professions = [p for p in prof_names if p != "Unknown"]  # every profession, where it had staff
    org_months = []
    parts: list[dict] = []
    for t in sample_t:
        for sector, tab, orgs in (("NHS", nhs, nhs_morgs), ("Adult social care", asc_tab, list(ti.est_ids))):
            for morg in orgs:
                if not member(morg, t):
                    continue
                for prof in ["All", *professions]:
                    # a profession row wherever it had staff in the 13 months to the period (decisions.md)
                    if prof != "All" and not any(tab.get("hc", morg, prof, x, 0) for x in range(t - 12, t + 1)):
                        continue
                    f = figures(sector, tab, morg, prof, t)
                    p = f.pop("_parts")
                    if prof == "All":
                        parts.append({"sector": sector, "t": t, "org": morg, **p})
                    org_months.append(f)
    system = _system(parts, months, me, sample_t[1:])
    leavers = None
    leaver_events: dict[str, pd.DataFrame] = {}  # by the organisation's code, for truth_routes (not written)
    if ti.people is not None:  # sector leavers by dimension (truth_leavers), at the samples and last quarter-end
        cwr = truth_leavers.reason_crosswalk(reference)
        bad = (nhs_codes.index(ti.bad_reason[0]), ti.bad_reason[1]) if ti.bad_reason else None
        events = {
            "NHS": truth_leavers.nhs_events(lv, last, ended, ti.people.cols, months, cwr, prof_names, bad),
            "Adult social care": truth_leavers.asc_events(asc, me, ti.people.cols, months, cwr, prof_names),
        }
        quarter_end = max(t for t in range(T) if int(months[t][5:]) % 3 == 0)
        sectors = (("NHS", nhs, nhs_morgs), ("Adult social care", asc_tab, list(ti.est_ids)))
        windows = org_months + [
            figures(sector, tab, morg, "All", quarter_end)
            for sector, tab, orgs in sectors
            for morg in orgs
            if member(morg, quarter_end) and quarter_end not in sample_t
        ]
        leavers = truth_leavers.sector_rows(events, morg_names, windows, me, sorted({*sample_t, quarter_end}))
        names = np.array(morg_names, dtype=object)
        leaver_events = {sector: ev.assign(morg=names[ev["morg"].to_numpy()]) for sector, ev in events.items()}
    return {"org_months": org_months, "system": system, "leavers": leavers, "leaver_events": leaver_events}


def _parts(is_nhs, tab, morg, t, g, ok_lv12, ok_staff12, ok_t, av) -> dict:
    """Numerators and denominators of an organisation's 'All' figures for the sector sums."""

    def s12(name):
        return sum(g(name, x) for x in range(t - 11, t + 1))

    p: dict = {}
    den = (g("hc", t - 12) + g("hc", t)) / 2
    lv = s12("leavers")
    p["joiners_12m"] = (s12("joiners"), None) if ok_staff12 else None
    p["leavers_12m"] = (lv, None) if ok_lv12 else None
    p["turnover_rate_12m"] = (lv, den) if ok_lv12 else None
    p["system_turnover_rate_12m"] = (lv - s12("moves"), den) if ok_lv12 else None
    p["stability_index_12m"] = (g("stay", t), g("hc", t - 12)) if ok_staff12 else None
    p["early_leaver_share_12m"] = (s12("early"), lv) if ok_lv12 else None
    if is_nhs:
        okp = av(t, ("nhs_pwr",))
        sub, vac, bank, ag = (g("pwr_substantive", t), g("pwr_vacancy", t), g("pwr_bank", t), g("pwr_agency", t))
        p["vacancy_rate"] = (vac / 100, (vac + sub) / 100, "fte") if okp else None
        p["bank_agency_share"] = ((bank + ag) / 100, (sub + bank + ag) / 100, "fte") if okp else None
        p["sickness_rate"] = (g("pwr_lost", t) / 100, g("pwr_avail", t) / 100, "fte_days") if okp else None
    else:
        okv = av(t, ("asc_wds_workers", "asc_wds_establishments"))
        vac = g("vacancies", t)
        p["vacancy_rate"] = (vac, vac + g("hc", t), "headcount") if okv else None
        p["bank_agency_share"] = (g("ba", t), g("inpost", t), "headcount") if ok_t else None
        p["sickness_rate"] = "n/a"
    return p


def _system(parts: list[dict], months, me, periods: list[int]) -> list[dict]:
    rows = []
    for t in periods:
        sector_vals: dict[str, dict] = {}
        for sector in ("NHS", "Adult social care"):
            ps = [p for p in parts if p["sector"] == sector and p["t"] == t]
            for kpi in SYSTEM_KPIS:
                vals = [p[kpi] for p in ps]
                if any(v == "n/a" for v in vals):
                    sector_vals.setdefault(kpi, {})[sector] = None
                    rows.append(
                        {
                            "period": str(np.datetime64(int(me[t]), "D")),
                            "sector": sector,
                            "kpi": kpi,
                            "numerator": None,
                            "denominator": None,
                            "value": None,
                            "basis": None,
                            "n_orgs": 0,
                        }
                    )
                    continue
                known = [
                    v
                    for v in vals
                    if v is not None
                    and v[0] is not None
                    and (kpi in ("joiners_12m", "leavers_12m") or v[1] is not None)
                ]
                basis = known[0][2] if known and len(known[0]) > 2 else "headcount"
                num = sum(v[0] for v in known)
                if kpi in ("joiners_12m", "leavers_12m"):
                    den, val = None, num
                else:
                    den = sum(v[1] for v in known)
                    val = _ratio(num, den)
                r = {
                    "period": str(np.datetime64(int(me[t]), "D")),
                    "sector": sector,
                    "kpi": kpi,
                    "numerator": _none(num),
                    "denominator": _none(den),
                    "value": _none(val),
                    "basis": basis,
                    "n_orgs": len(known),
                }
                rows.append(r)
                sector_vals.setdefault(kpi, {})[sector] = r
        for kpi in SYSTEM_KPIS:
            rs = [r for r in sector_vals[kpi].values() if r is not None]
            bases = {r["basis"] for r in rs}
            base = {"period": str(np.datetime64(int(me[t]), "D")), "sector": "System", "kpi": kpi}
            if len(bases) != 1:
                rows.append(
                    {
                        **base,
                        "numerator": None,
                        "denominator": None,
                        "value": None,
                        "basis": "mixed",
                        "n_orgs": sum(r["n_orgs"] for r in rs),
                    }
                )
                continue
            num = sum(r["numerator"] for r in rs)
            if kpi in ("joiners_12m", "leavers_12m"):
                den, val = None, num
            else:
                den = sum(r["denominator"] for r in rs)
                val = _ratio(num, den)
            rows.append(
                {
                    **base,
                    "numerator": _none(num),
                    "denominator": _none(den),
                    "value": _none(val),
                    "basis": bases.pop(),
                    "n_orgs": sum(r["n_orgs"] for r in rs),
                }
            )
    return rows


def _flag_moves(L: pd.DataFrame, allsip: pd.DataFrame, T: int) -> pd.DataFrame:
    """move = 1 when the leaver's person key is in another partner's SIP at any month-end m .. m+3."""
    L = L.reset_index(drop=True).copy()
    L["lid"] = np.arange(len(L))
    hits = []
    for k in range(4):
        x = L[["lid", "t", "morg", "pk"]].copy()
        x["t"] = x["t"] + k
        m = x.merge(allsip, on=["t", "pk"], suffixes=("", "_o"))
        hits.append(m.loc[m["morg"] != m["morg_o"], "lid"].to_numpy())
    moved = unique(np.concatenate(hits)) if hits else np.empty(0, int)
    L["move"] = isin(L["lid"], moved).astype(int)
    return L.drop(columns="lid")


def _point_tables(sip: pd.DataFrame, T: int, me: np.ndarray, tab: _Sector, ALL: int) -> _Sector:
    """Headcount, FTE, joiners, stability and median service from SIP rows (t, morg, pk, prof, fte, start)."""
    keys = ["t", "morg", "pk"]
    person = sip.groupby(keys, as_index=False).agg(start=("start", "min"))
    pp = sip[["t", "morg", "prof", "pk"]].drop_duplicates()
    # headcount
    hc_all = person.groupby(["morg", "t"], as_index=False).size().assign(prof=ALL)
    hc_p = pp.groupby(["morg", "prof", "t"], as_index=False).size()
    tab.put("hc", pd.concat([hc_all, hc_p], ignore_index=True), "size")
    tab.put("fte", _grp(sip, ["fte"], "sum", ALL), "fte")
    # service
    person["years"] = (me[person["t"].to_numpy()] - person["start"].to_numpy()) / 365.25
    ppy = pp.merge(person[[*keys, "years"]], on=keys)
    med_all = person.groupby(["morg", "t"], as_index=False)["years"].median().assign(prof=ALL)
    med_p = ppy.groupby(["morg", "prof", "t"], as_index=False)["years"].median()
    del ppy
    tab.put("med_service", pd.concat([med_all, med_p], ignore_index=True), "years")
    # joiners: in SIP at m, not at m-1 (counted under each profession held at m)
    prev = person[keys].copy()
    prev["t"] = prev["t"] + 1
    j = person[keys].merge(prev, how="left", indicator=True)
    j = j[(j["_merge"] == "left_only") & (j["t"] > 0)].drop(columns="_merge")
    jp = pd.concat([j.assign(prof=ALL), pp.merge(j, on=keys)], ignore_index=True)
    tab.put("joiners", jp.groupby(["morg", "prof", "t"], as_index=False).size(), "size")
    # stability: in SIP (org, prof) at M-12 and in the org's SIP at M
    now = person[keys]
    st_all = now.assign(t=now["t"] + 12).merge(now, on=keys).groupby(["morg", "t"], as_index=False).size()
    st_p = pp.assign(t=pp["t"] + 12).merge(now, on=keys).groupby(["morg", "prof", "t"], as_index=False).size()
    st = pd.concat([st_all.assign(prof=ALL), st_p], ignore_index=True)
    st = st[st["t"] < T]
    tab.put("stay", st, "size")
    return tab
