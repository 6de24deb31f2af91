"""An independent route from the landing FILES to the truth figures (metrics.md, decisions.md).

It reads only the CSVs (current version of each return), the register and the crosswalk seed, and
computes with pandas and plain Python sets; it shares no code with `simulator.truth`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.truth import matching_key

REFERENCE = Path(__file__).resolve().parents[2] / "seeds" / "reference"
NAME_RE = re.compile(r"^(?P<sub>.+?)(?:__v(?P<v>\d+))?\.(?P<ext>csv|xlsx)$")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def current_files(out: Path, source: str) -> dict[tuple[str, str], Path]:
    """(period, submitter) -> path of the highest version."""
    best: dict[tuple[str, str], tuple[int, Path]] = {}
    base = out / source
    if not base.exists():
        return {}
    for p in sorted(base.glob("*/*")):
        m = NAME_RE.match(p.name)
        if not m:
            continue
        key = (p.parent.name, m["sub"])
        v = int(m["v"] or 1)
        if key not in best or v > best[key][0]:
            best[key] = (v, p)
    return {k: v[1] for k, v in best.items()}


def norm_ni(s: pd.Series) -> pd.Series:
    return s.str.upper().str.replace(" ", "", regex=False)


def month_end(ym: str) -> pd.Timestamp:
    return pd.Timestamp(ym + "-01") + pd.offsets.MonthEnd(0)


def add_m(ym: str, k: int) -> str:
    return str(pd.Period(ym, "M") + k)


class Landing:
    def __init__(self, out: Path):
        self.out = out
        cw = pd.read_csv(REFERENCE / "profession_crosswalk.csv", dtype=str)
        self.prof = {(r.sector, matching_key(r.source_value)): r.profession for r in cw.itertuples()}
        regs = current_files(out, "ics_partners")
        latest = max(regs)  # (period, 'ics')
        self.reg = read(regs[latest])
        self.succ = {r.org_code: r.successor_code for r in self.reg.itertuples() if r.successor_code}
        self.span = {r.org_code: (r.start_date, r.end_date) for r in self.reg.itertuples()}
        self.sector_of = dict(zip(self.reg["org_code"], self.reg["sector"], strict=True))
        self.files = {
            s: current_files(out, s)
            for s in (
                "nhs_esr_staff",
                "nhs_esr_leavers",
                "nhs_pwr",
                "nhs_recruitment",
                "asc_wds_workers",
                "asc_wds_establishments",
            )
        }
        self.months = sorted({p for p, _ in self.files["asc_wds_workers"]})
        self._load()

    # ------------------------------------------------------------------ register
    def final(self, code: str) -> str:
        while code in self.succ:
            code = self.succ[code]
        return code

    def member(self, code: str, ym: str) -> bool:
        if code not in self.span:
            return False
        if ym < self.months[0]:
            return True
        s, e = self.span[code]
        d = month_end(ym).strftime("%Y-%m-%d")
        return (not s or s <= d) and (not e or d <= e)

    def constituents(self, morg: str) -> list[str]:
        return [c for c in self.span if self.final(c) == morg and self.sector_of[c] == "NHS"]

    def has(self, source: str, code: str, ym: str) -> bool:
        return (ym, code) in self.files[source]

    def nhs_ok(self, morg: str, ym: str, sources) -> bool:
        if ym < self.months[0] or ym > self.months[-1]:
            return False
        return all(self.has(s, c, ym) for c in self.constituents(morg) if self.member(c, ym) for s in sources)

    def asc_ok(self, ym: str, sources) -> bool:
        if ym < self.months[0] or ym > self.months[-1]:
            return False
        return all(self.has(s, "extract", ym) for s in sources)

    # ------------------------------------------------------------------ loading
    def _concat(self, source: str) -> pd.DataFrame:
        frames = [read(p).assign(_file_period=per) for (per, _), p in sorted(self.files[source].items())]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _load(self) -> None:
        st = self._concat("nhs_esr_staff")
        st = st[st["assignment_category"].isin(["Permanent", "Fixed Term Temp"])].copy()
        st["pk"] = norm_ni(st["ni_number"])
        st["morg"] = st["org_code"].map(self.final)
        st["prof"] = [self.prof.get(("NHS", matching_key(g)), "Unknown") for g in st["staff_group"]]
        st["fte"] = st["fte"].astype(float)
        st["start"] = pd.to_datetime(st["assignment_start_date"])
        self.nhs_staff = st
        lv = self._concat("nhs_esr_leavers")
        lv["pk"] = norm_ni(lv["ni_number"])
        lv["morg"] = lv["org_code"].map(self.final)
        lv["prof"] = [self.prof.get(("NHS", matching_key(g)), "Unknown") for g in lv["staff_group"]]
        lv["fte"] = lv["fte"].astype(float)
        lv["start"] = pd.to_datetime(lv["assignment_start_date"])
        lv["leave"] = pd.to_datetime(lv["leaving_date"])
        self.nhs_leavers_rows = lv
        pw = self._concat("nhs_pwr")
        for c in (
            "substantive_fte",
            "bank_fte",
            "agency_fte",
            "vacancy_fte",
            "sickness_fte_days_lost",
            "sickness_fte_days_available",
        ):
            pw[c] = pw[c].astype(float)
        pw["morg"] = pw["org_code"].map(self.final)
        pw["prof"] = [self.prof.get(("NHS", matching_key(g)), "Unknown") for g in pw["staff_group"]]
        self.pwr = pw
        rc = self._concat("nhs_recruitment")
        rc = rc[(rc["outcome"] == "Started") & (rc["start_date"] != "")].copy()
        rc["days"] = (pd.to_datetime(rc["start_date"]) - pd.to_datetime(rc["approved_date"])).dt.days
        rc = rc[rc["start_date"].str[:7] == rc["period"]]
        rc["morg"] = rc["org_code"].map(self.final)
        rc["prof"] = [self.prof.get(("NHS", matching_key(g)), "Unknown") for g in rc["staff_group"]]
        self.rec = rc
        w = self._concat("asc_wds_workers")
        ni = norm_ni(w["ni_number"])
        w["pk"] = np.where(ni == "", "asc_wds_workers|" + w["establishment_id"] + "|" + w["worker_id"], ni)
        w["morg"] = w["establishment_id"]
        w["prof"] = [self.prof.get(("Adult social care", matching_key(g)), "Unknown") for g in w["main_job_role"]]
        me = w["period"].map(lambda p: month_end(p))
        ld = pd.to_datetime(w["leave_date"].replace("", None))
        w["in_post"] = ld.isna() | (ld > me)
        w["left_in_month"] = ld.notna() & (ld <= me) & (ld >= me - pd.offsets.MonthBegin(1))
        w["leave"] = ld
        w["start"] = pd.to_datetime(w["start_date_in_role"])
        h = pd.to_numeric(w["contracted_hours"].replace("", None))
        w["fte"] = np.minimum(h.fillna(0) / 37.5, 1.0)
        w["sick"] = pd.to_numeric(w["days_sick_12m"].replace("", None))
        self.asc = w
        e = self._concat("asc_wds_establishments")
        e["vacancies"] = e["vacancies"].astype(int)
        e["prof"] = [self.prof.get(("Adult social care", matching_key(g)), "Unknown") for g in e["job_role"]]
        self.asc_est = e
        # SIP person tables: (sector, morg, ym) -> {pk: earliest start}; (sector, morg, ym, prof) -> {pk}
        self.sip: dict[tuple[str, str, str], dict] = {}
        self.sip_prof: dict[tuple[str, str, str, str], set] = {}
        self.sip_fte: dict[tuple[str, str, str, str], float] = defaultdict(float)
        a = self.asc[self.asc["in_post"] & (self.asc["contract_type"] != "Agency")]
        for sector, df in (("NHS", self.nhs_staff), ("Adult social care", a)):
            first = df.groupby(["morg", "period", "pk"])["start"].min()
            for (morg, ym), g in first.groupby(level=[0, 1]):
                self.sip[(sector, morg, ym)] = dict(zip(g.index.get_level_values(2), g.to_numpy(), strict=True))
            pp = df[["morg", "period", "prof", "pk"]].drop_duplicates()
            for (morg, ym, prof), g in pp.groupby(["morg", "period", "prof"])["pk"]:
                self.sip_prof[(sector, morg, ym, prof)] = set(g)
            for (morg, ym, prof), f in df.groupby(["morg", "period", "prof"])["fte"].sum().items():
                self.sip_fte[(sector, morg, ym, prof)] = f
            for (morg, ym), f in df.groupby(["morg", "period"])["fte"].sum().items():
                self.sip_fte[(sector, morg, ym, "All")] = f
        # every register member's SIP persons per month, for internal moves
        self.orgs_of: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        for (_sector, morg, ym), d in self.sip.items():
            if morg in self.span:
                for pk in d:
                    self.orgs_of[ym][pk].add(morg)
        self._leavers_cache: dict = {}

    # ------------------------------------------------------------------ people
    def persons(self, sector: str, morg: str, ym: str, prof: str) -> dict:
        d = self.sip.get((sector, morg, ym), {})
        if prof == "All":
            return d
        pks = self.sip_prof.get((sector, morg, ym, prof), set())
        return {k: v for k, v in d.items() if k in pks}

    def leavers(self, sector: str, morg: str, ym: str) -> list[dict]:
        key = (sector, morg, ym)
        if key in self._leavers_cache:
            return self._leavers_cache[key]
        out = []
        if sector == "NHS":
            rows = self.nhs_leavers_rows
            rows = rows[(rows["morg"] == morg) & (rows["period"] == ym)]
            held = set(self.sip.get(("NHS", morg, ym), {}))
            sub = rows[rows["assignment_category"] != "Bank"]
            for pk, g in sub.groupby("pk"):
                if pk in held:
                    continue
                g = g.sort_values(["leave", "assignment_number"])
                last = g.iloc[-1]
                start0 = rows[rows["pk"] == pk]["start"].min()
                out.append(
                    {"pk": pk, "prof": last["prof"], "fte": g["fte"].sum(), "leave": last["leave"], "start0": start0}
                )
        else:
            w = self.asc
            g = w[(w["morg"] == morg) & (w["period"] == ym) & w["left_in_month"] & (w["contract_type"] != "Agency")]
            for r in g.itertuples():
                out.append({"pk": r.pk, "prof": r.prof, "fte": 0.0, "leave": r.leave, "start0": r.start})
        for x in out:
            x["early"] = x["leave"] < x["start0"] + pd.DateOffset(months=12)
            x["move"] = any(self.orgs_of[add_m(ym, k)].get(x["pk"], set()) - {morg} for k in range(4))
        self._leavers_cache[key] = out
        return out

    # ------------------------------------------------------------------ figures
    def figures(self, sector: str, morg: str, ym: str, prof: str) -> dict:
        nhs = sector == "NHS"

        def ok(m, srcs):
            return self.nhs_ok(morg, m, srcs) if nhs else self.asc_ok(m, srcs)

        staff = ("nhs_esr_staff",) if nhs else ("asc_wds_workers",)
        lvs = ("nhs_esr_staff", "nhs_esr_leavers") if nhs else ("asc_wds_workers",)
        window = [add_m(ym, -k) for k in range(12, -1, -1)]
        ok_staff12 = all(ok(m, staff) for m in window)
        ok_lv12 = all(ok(m, lvs) for m in window)
        f: dict = {}
        cur = self.persons(sector, morg, ym, prof)
        f["headcount"] = len(cur) if ok(ym, staff) else None
        f["fte"] = self.sip_fte.get((sector, morg, ym, prof), 0.0) if ok(ym, staff) else None

        def joiners(m):
            now = self.persons(sector, morg, m, prof)
            before = self.sip.get((sector, morg, add_m(m, -1)), {})
            return sum(1 for pk in now if pk not in before)

        def leavers(m):
            return [x for x in self.leavers(sector, morg, m) if prof == "All" or x["prof"] == prof]

        w12 = window[1:]
        f["joiners_12m"] = sum(joiners(m) for m in w12) if ok_staff12 else None
        L = [x for m in w12 for x in leavers(m)] if ok_lv12 else None
        f["leavers_12m"] = len(L) if L is not None else None
        f["leavers_fte_12m"] = sum(x["fte"] for x in L) if (nhs and L is not None) else None
        hc0 = len(self.persons(sector, morg, window[0], prof))
        hc1 = len(cur)
        den = (hc0 + hc1) / 2

        def rate(n, d):
            return None if n is None or d is None or d == 0 else n / d

        f["turnover_rate_12m"] = rate(f["leavers_12m"], den) if L is not None else None
        if nhs and L is not None:
            fden = (self.sip_fte.get((sector, morg, window[0], prof), 0.0) + f["fte"]) / 2
            f["turnover_rate_fte_12m"] = rate(f["leavers_fte_12m"], fden)
        else:
            f["turnover_rate_fte_12m"] = None
        if ok_staff12:
            base = self.persons(sector, morg, window[0], prof)
            org_now = self.sip.get((sector, morg, ym), {})
            f["stability_index_12m"] = rate(sum(1 for pk in base if pk in org_now), len(base))
        else:
            f["stability_index_12m"] = None
        f["early_leaver_share_12m"] = rate(sum(x["early"] for x in L), len(L)) if L is not None else None
        if ok(ym, staff) and cur:
            me = month_end(ym)
            f["median_service_years"] = float(np.median([(me - pd.Timestamp(s)).days / 365.25 for s in cur.values()]))
        else:
            f["median_service_years"] = None
        f["internal_moves_12m"] = sum(x["move"] for x in L) if L is not None else None
        f["system_leavers_12m"] = (len(L) - f["internal_moves_12m"]) if L is not None else None
        f["system_turnover_rate_12m"] = rate(f["system_leavers_12m"], den) if L is not None else None
        if nhs:
            p = self.pwr[(self.pwr["morg"] == morg) & (self.pwr["period"] == ym)]
            if prof != "All":
                p = p[p["prof"] == prof]
            if ok(ym, ("nhs_pwr",)):
                s, v = p["substantive_fte"].sum(), p["vacancy_fte"].sum()
                b, a = p["bank_fte"].sum(), p["agency_fte"].sum()
                f["vacancy_rate"] = rate(v, v + s)
                f["bank_agency_share"] = rate(b + a, s + b + a)
                f["sickness_rate"] = rate(p["sickness_fte_days_lost"].sum(), p["sickness_fte_days_available"].sum())
            else:
                f["vacancy_rate"] = f["bank_agency_share"] = f["sickness_rate"] = None
            f["avg_sick_days_12m"] = None
            r = self.rec[(self.rec["morg"] == morg) & (self.rec["period"] == ym)]
            if prof != "All":
                r = r[r["prof"] == prof]
            f["median_days_to_hire"] = (
                (float(r["days"].median()) if len(r) else None) if ok(ym, ("nhs_recruitment",)) else None
            )
        else:
            e = self.asc_est[(self.asc_est["establishment_id"] == morg) & (self.asc_est["period"] == ym)]
            w = self.asc[(self.asc["morg"] == morg) & (self.asc["period"] == ym) & self.asc["in_post"]]
            if prof != "All":
                e = e[e["prof"] == prof]
                w = w[w["prof"] == prof]
            vac = int(e["vacancies"].sum())
            f["vacancy_rate"] = (
                rate(vac, vac + len(cur)) if ok(ym, ("asc_wds_workers", "asc_wds_establishments")) else None
            )
            f["bank_agency_share"] = rate(int(w["contract_type"].isin(["Pool/Bank", "Agency"]).sum()), len(w))
            f["sickness_rate"] = None
            sick = w[w["contract_type"] != "Agency"]["sick"].dropna()
            f["avg_sick_days_12m"] = float(sick.mean()) if len(sick) else None
            f["median_days_to_hire"] = None
        f["joiners"] = joiners(ym) if (ok(ym, staff) and ok(add_m(ym, -1), staff)) else None
        f["leavers"] = len(leavers(ym)) if ok(ym, lvs) else None
        return f
