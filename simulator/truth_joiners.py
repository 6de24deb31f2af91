"""The truth of mart_joiners: joiners in the 12 months to a period by origin and by each demographic
dimension, per organisation and profession ('All' included), and per sector and the System (org_code 'ICS'),
computed from the simulated staff in post (metrics.md, "Beside the seven: where joiners come from").

It follows the rule by its own route, from the snapshots the simulation produced (not the written files):
a joiner of O at m is in O's staff in post at m and not at m-1; its origin is 'Another partner' when the
person is in another register partner's staff in post at a month-end m-3 .. m-1 (snapshots that arrived),
'Rejoining' when in O's own at m-13 .. m-2, else from the earliest start in the sector on the person's
records in O's return of m against the start in O: before it 'Elsewhere in the NHS' / 'Elsewhere in social
care', equal 'New to sector', otherwise 'Unknown'. 12-month figures exist where truth's org_months has
joiners_12m (the window complete); sector rows sum the register partners among them, the System the
sectors. The VCSE (joiners without a breakdown) is left to truth['vcse'].

residence_imd_decile (issue #23, anchor employment): the person's decile (the simulator draws one per person,
simulator/routes.py) where a staff-in-post record of the joiner in O's return of m comes from a partner that
sends the column (`sends_imd` of the record's own code, a merged predecessor's included); a joiner whose
partner does not send it has no row in that dimension; its category 'All' counts the joiners of the partners
that send it (the sum of the deciles and 'Unknown').
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config as C
from .engine import MonthOut, Sim
from .routes import sends_imd
from .truth import _crosswalk, matching_key
from .util import month_end_day

DIMENSIONS = ("origin", "age_band", "ethnic_group", "gender", "disability", "residence_imd_decile")
NHS, ASC = "NHS", "Adult social care"


@dataclass
class JoinerTruthInput:
    sim: Sim
    months: list[str]
    nhs: list[pd.DataFrame] = field(default_factory=list)
    asc: list[pd.DataFrame] = field(default_factory=list)

    def add_month(self, mo: MonthOut) -> None:
        S, X = mo.nhs_snap, mo.asc_ext
        pid = S["pid"].astype(np.int64)
        start = S["start"].astype(np.int64)
        # nhs_start_date as written (generate.Writer._esr_frame): the person's first NHS start, else the
        # assignment's start; empty for one person in 23
        ns = self.sim.P.cols["nhs_start"][pid].astype(np.int64)
        ns = np.where((ns >= 0) & (ns <= start), ns, start)
        ns = np.where(pid % 23 == 0, -1, ns)
        self.nhs.append(
            pd.DataFrame(
                {
                    "t": mo.t,
                    "org": S["org"].astype(np.int64),
                    "pid": pid,
                    "pk": pid,
                    "sg": S["sg"].astype(int),
                    "sip": S["cat"] != 2,
                    "start": start,
                    "sector_start": ns,
                }
            )
        )
        me = month_end_day(mo.period)
        xpid = X["pid"].astype(np.int64)
        self.asc.append(
            pd.DataFrame(
                {
                    "t": mo.t,
                    "org": X["org"].astype(np.int64),
                    "pid": xpid,
                    "pk": np.where(X["nif"] == 0, -1 - X["wid"].astype(np.int64), xpid),
                    "role": X["role"].astype(int),
                    "sip": (X["leave"].astype(np.int64) > me) & (X["ctype"] != 3),
                    "start": X["start"].astype(np.int64),
                    "sector_start": X["sstart"].astype(np.int64),
                }
            )
        )


def _people(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (t, morg, pk) in staff in post: the start in the organisation, the earliest start in the
    sector on any of the person's records in the organisation's return (empty ones aside)."""
    sector = rows[rows["sector_start"] >= 0].groupby(["t", "morg", "pk"])["sector_start"].min()
    sip = rows[rows["sip"]]
    people = sip.groupby(["t", "morg", "pk"], as_index=False).agg(start=("start", "min"), pid=("pid", "first"))
    return people.merge(sector.reset_index(), how="left", on=["t", "morg", "pk"])


def _origins(people: pd.DataFrame, seen: pd.DataFrame, partners: set, sector: str) -> pd.DataFrame:
    """Joiners (in staff in post at t, not at t-1) with their origin; `seen`: (t, morg, pk) of the staff in
    post in the snapshots that arrived, every sector."""
    keys = ["t", "morg", "pk"]
    before = people[keys].assign(t=people["t"] + 1)
    j = people.merge(before, how="left", on=keys, indicator=True)
    j = j[(j["_merge"] == "left_only") & (j["t"] > 0)].drop(columns="_merge").reset_index(drop=True)
    earlier = j[keys].reset_index().merge(seen, on="pk", suffixes=("", "_o"))
    back = earlier["t"] - earlier["t_o"]
    other = (earlier["morg_o"] != earlier["morg"]) & earlier["morg_o"].isin(partners) & back.between(1, 3)
    own = (earlier["morg_o"] == earlier["morg"]) & back.between(2, 13)
    moved = np.zeros(len(j), bool)
    moved[earlier.loc[other, "index"].to_numpy()] = True
    back_again = np.zeros(len(j), bool)
    back_again[earlier.loc[own, "index"].to_numpy()] = True
    s, st = j["sector_start"].to_numpy(), j["start"].to_numpy()
    elsewhere = "Elsewhere in the NHS" if sector == NHS else "Elsewhere in social care"
    j["origin"] = np.select(
        [moved, back_again, s < st, s == st], ["Another partner", "Rejoining", elsewhere, "New to sector"], "Unknown"
    )
    return j


def _demographics(j: pd.DataFrame, sim: Sim, months: list[str], sector: str) -> pd.DataFrame:
    pc = sim.P.cols
    pid = j["pid"].to_numpy()
    ym = np.array([int(m[:4]) * 12 + int(m[5:]) - 1 for m in months])[j["t"].to_numpy()]
    age = (ym - pc["birth"][pid]) // 12
    j["age_band"] = np.array(C.AGE_BANDS, dtype=object)[np.searchsorted([25, 35, 45, 55, 65], age, side="right")]
    j["gender"] = np.array(C.GENDERS, dtype=object)[pc["gender"][pid]]
    j["ethnic_group"] = np.array(C.ETHNIC, dtype=object)[pc["eth"][pid]]
    j["disability"] = np.array(C.DISABILITY, dtype=object)[pc["dis"][pid]] if sector == NHS else None
    return j


def _imd_deciles(j: pd.DataFrame, rows: pd.DataFrame, sim: Sim) -> pd.DataFrame:
    """The joiner's residence IMD decile ('1' .. '10') where one of its staff-in-post records in O's return
    of m comes from a partner that sends the column; None (no row in the dimension) otherwise."""
    sip = rows[rows["sip"]]
    sent = sip.assign(sent=sip["code"].map(sends_imd)).groupby(["t", "morg", "pk"])["sent"].any()
    j = j.merge(sent.reset_index(), how="left", on=["t", "morg", "pk"])
    decile = sim.routes.decile[j["pid"].to_numpy()].astype(str).astype(object)
    j["residence_imd_decile"] = np.where(j["sent"].fillna(False).to_numpy(bool), decile, None)
    return j.drop(columns="sent")


def staff_frames(ji: JoinerTruthInput, avail: set, register: pd.DataFrame, est_ids: list[str], reference: Path):
    """The simulated NHS and ASC snapshot rows with their reporting organisation (`morg`, the final merger
    successor; the establishment id) and profession (`prof`, through the crosswalk seed); NHS rows also say
    whether their file arrived (`arrived`)."""
    reg = register.fillna("")
    succ = {r.org_code: r.successor_code for r in reg.itertuples() if r.successor_code}

    def final(code: str) -> str:
        while code in succ:
            code = succ[code]
        return code

    codes = list(ji.sim.codes)
    cw = _crosswalk(reference)
    sg_prof = np.array([cw[NHS].get(matching_key(g), "Unknown") for g in C.STAFF_GROUPS], dtype=object)
    role_prof = np.array([cw[ASC].get(matching_key(r), "Unknown") for r in C.ASC_ROLES], dtype=object)

    nhs = pd.concat(ji.nhs, ignore_index=True)
    nhs["code"] = np.array(codes, dtype=object)[nhs["org"].to_numpy()]
    nhs["morg"] = np.array([final(c) for c in codes], dtype=object)[nhs["org"].to_numpy()]
    nhs["prof"] = sg_prof[nhs["sg"].to_numpy()]
    staff_ok = np.zeros((len(codes), len(ji.months)), bool)
    for source, code, t in avail:
        if source == "nhs_esr_staff":
            staff_ok[codes.index(code), t] = True
    nhs["arrived"] = staff_ok[nhs["org"].to_numpy(), nhs["t"].to_numpy()]
    asc = pd.concat(ji.asc, ignore_index=True)
    asc["morg"] = np.array(est_ids, dtype=object)[asc["org"].to_numpy()]
    asc["code"] = asc["morg"]
    asc["prof"] = role_prof[asc["role"].to_numpy()]
    return nhs, asc


def joiner_truth(
    ji: JoinerTruthInput,
    avail: set,
    org_months: list[dict],
    register: pd.DataFrame,
    est_ids: list[str],
    reference: Path,
) -> list[dict]:
    """Rows (period, sector, org_code, profession, dimension, category, joiners_12m), organisations first,
    then org_code 'ICS' per sector and for the System (origin, age_band, ethnic_group, gender,
    residence_imd_decile over NHS and ASC; disability NHS only). Categories with no joiners have no row."""
    nhs, asc = staff_frames(ji, avail, register, est_ids, reference)
    seen = pd.concat([nhs[nhs["sip"] & nhs["arrived"]], asc[asc["sip"]]])[["t", "morg", "pk"]].drop_duplicates()
    seen = seen.rename(columns={"t": "t_o", "morg": "morg_o"})
    partners = set(register["org_code"])
    events = []
    for sector, rows in ((NHS, nhs), (ASC, asc)):
        j = _demographics(_origins(_people(rows), seen, partners, sector), ji.sim, ji.months, sector)
        j = _imd_deciles(j, rows, ji.sim)
        professions = rows[rows["sip"]][["t", "morg", "pk", "prof"]].drop_duplicates()
        by_prof = professions.merge(j, on=["t", "morg", "pk"])
        events.append(pd.concat([j.assign(prof="All"), by_prof], ignore_index=True).assign(sector=sector))
    ev = pd.concat(events, ignore_index=True)

    # joiners per month, organisation, profession, dimension and category (disability: the NHS only)
    # (residence_imd_decile: the joiners of partners that send it)
    kept = {"disability": ev["sector"].eq(NHS), "residence_imd_decile": ev["residence_imd_decile"].notna()}
    long = pd.concat(
        [
            ev.loc[kept.get(dim, ev["t"].notna()), ["sector", "morg", "prof", "t"]].assign(
                dimension=dim,
                category=ev[dim].fillna("").astype(str).str.strip().replace("", "Unknown"),
            )
            for dim in DIMENSIONS
        ]
        # and the joiners of those partners, the deciles' total (category 'All')
        + [
            ev.loc[kept["residence_imd_decile"], ["sector", "morg", "prof", "t"]].assign(
                dimension=DIMENSIONS[-1], category="All"
            )
        ],
        ignore_index=True,
    )
    monthly = long.groupby(["sector", "morg", "prof", "dimension", "category", "t"], as_index=False).size()
    windows = pd.DataFrame(
        [
            {"period": r["period"], "morg": r["org_code"], "t": ji.months.index(r["period"][:7])}
            for r in org_months
            if r["profession"] == "All" and r["joiners_12m"] is not None
        ]
    )
    parts = []
    for (period, t), orgs_then in windows.groupby(["period", "t"]):
        w = monthly[(monthly["t"] > t - 12) & (monthly["t"] <= t) & monthly["morg"].isin(orgs_then["morg"])]
        sums = w.groupby(["sector", "morg", "prof", "dimension", "category"], as_index=False)["size"].sum()
        parts.append(sums.assign(period=period))
    orgs = pd.concat(parts, ignore_index=True).rename(
        columns={"morg": "org_code", "prof": "profession", "size": "joiners_12m"}
    )
    orgs["partner"] = orgs["org_code"].isin(partners)
    key = ["period", "profession", "dimension", "category"]
    sectors = orgs[orgs["partner"]].groupby(["sector", *key], as_index=False)["joiners_12m"].sum()
    system = sectors.groupby(key, as_index=False)["joiners_12m"].sum().assign(sector="System")
    ics = pd.concat([sectors, system], ignore_index=True).assign(org_code="ICS")
    columns = ["period", "sector", "org_code", "profession", "dimension", "category", "joiners_12m"]
    rows = pd.concat([orgs, ics], ignore_index=True)[columns]
    return [{**r, "joiners_12m": int(r["joiners_12m"])} for r in rows.to_dict("records")]
