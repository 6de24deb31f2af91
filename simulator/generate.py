"""Generate the landing returns and truth.json for one scale and seed.

`generate(scale, seed, out)` runs the person-level simulation (`engine.Sim`), writes every return in
the landing layout of returns.md, plants the messy cases, copies the real published files, calls the
aggregate sources' module (`simulator.aggregates`, when present) and writes `truth.json` computed from
the simulated events (`truth.compute_truth`).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config as C
from . import truth_leavers
from .demand import Demand, misplace_establishment, register_places
from .engine import MonthOut, Sim, Tab
from .population import write_population
from .routes import IMD_COLUMN, ROUTE_COLUMNS, optional_columns, with_optional_columns
from .truth import TruthInput, compute_truth
from .truth_joiners import JoinerTruthInput, joiner_truth
from .truth_routes import entry_route_truth
from .util import add_months, day_str, fmt_fixed, fmt_hundredths, month_end_day, month_list, month_start_day

try:  # the aggregate sources (staff survey, WRES, VCSE, CQC) are written by a sibling module
    from . import aggregates as _aggregates
except ImportError:  # pragma: no cover - until simulator/aggregates.py exists
    _aggregates = None

HERE = Path(__file__).resolve().parent
# The real NHS England files: shared/ beside the project, or WF_SHARED_DIR.
REALDATA = Path(os.environ.get("WF_SHARED_DIR") or HERE.parent.parent / "shared") / "realdata"
REFERENCE = HERE.parent / "seeds" / "reference"

_OCC_FLAT = np.array(
    [C.OCCUPATION_CODES[g][j] if j < len(C.OCCUPATION_CODES[g]) else "" for g in C.STAFF_GROUPS for j in range(16)],
    dtype=object,
)
_HOURS_TEXT = np.array([str(h // 10) if h % 10 == 0 else f"{h // 10}.{h % 10}" for h in range(0, 1001)], dtype=object)

ESR_COLUMNS = [
    "org_code",
    "period",
    "ni_number",
    "employee_number",
    "assignment_number",
    "staff_group",
    "occupation_code",
    "afc_band",
    "assignment_category",
    "fte",
    "assignment_start_date",
    "nhs_start_date",
    "age_band",
    "gender",
    "ethnic_group",
    "disability",
]
LEAVER_COLUMNS = [*ESR_COLUMNS, "leaving_date", "reason_for_leaving", "destination"]
REC_COLUMNS = [
    "org_code",
    "period",
    "vacancy_reference",
    "staff_group",
    "afc_band",
    "approved_date",
    "advert_date",
    "offer_date",
    "checks_complete_date",
    "start_date",
    "outcome",
]
PWR_COLUMNS = [
    "org_code",
    "period",
    "staff_group",
    "establishment_fte",
    "substantive_fte",
    "bank_fte",
    "agency_fte",
    "vacancy_fte",
    "sickness_fte_days_lost",
    "sickness_fte_days_available",
]
ASC_COLUMNS = [
    "period",
    "establishment_id",
    "worker_id",
    "ni_number",
    "main_job_role",
    "contract_type",
    "zero_hours",
    "contracted_hours",
    "start_date_in_role",
    "start_date_in_sector",
    "leave_date",
    "leave_reason",
    "gender",
    "ethnic_group",
    "age_band",
    "nationality_group",
    "days_sick_12m",
]
EST_COLUMNS = [
    "period",
    "establishment_id",
    "establishment_name",
    "cqc_location_id",
    "local_authority_code",
    "sector",
    "main_service",
    "job_role",
    "vacancies",
]
REGISTER_COLUMNS = [
    "org_code",
    "org_name",
    "sector",
    "org_type",
    "successor_code",
    "start_date",
    "end_date",
    "expected_returns",
    "place",
    "local_authority_code",
]

PLACES = [
    "Charnwood",
    "Oadby",
    "Wigston",
    "Hinckley",
    "Melton",
    "Oakham",
    "Loughborough",
    "Harborough",
    "Lutterworth",
    "Coalville",
    "Syston",
    "Birstall",
    "Braunstone",
    "Aylestone",
    "Evington",
    "Knighton",
    "Belgrave",
    "Humberstone",
    "Anstey",
    "Glenfield",
    "Blaby",
    "Enderby",
    "Narborough",
    "Ashby",
    "Uppingham",
    "Shepshed",
    "Thurmaston",
    "Groby",
    "Quorn",
    "Sileby",
    "Kibworth",
    "Rothley",
]
HOME_NOUNS = ["House", "Lodge", "Court", "Grange", "Manor", "Hall", "View", "Gardens"]
DOM_NOUNS = ["Home Care", "Care Services", "Homecare Ltd", "Community Care", "Support Services"]


@dataclass
class Messy:
    month_missing: str
    month_v2: str
    month_unregistered: str
    month_bad_reason: str
    merger_end: str
    cases: list[dict] = field(default_factory=list)


def _trusts_for(scale: C.Scale) -> list[C.Trust]:
    trusts = list(scale.trusts)
    n_extra = scale.extra.get("n_trusts", 0) - len(trusts)
    if n_extra > 0:
        have = {t.code for t in trusts} | {C.UNREGISTERED_CODE}
        rows = list(csv.reader((REALDATA / "ods" / "etr.csv").open(encoding="utf-8")))
        sizes = {"Acute trust": 6000, "Mental health trust": 3500, "Community trust": 2000, "Ambulance trust": 3500}
        for r in rows:
            if n_extra == 0:
                break
            if r[0] in have or r[11] or len(r[0]) != 3:
                continue
            name = r[1].title().replace("Nhs", "NHS")
            up = r[1].upper()
            if "AMBULANCE" in up:
                ot = "Ambulance trust"
            elif "COMMUNITY" in up:
                ot = "Community trust"
            elif "MENTAL" in up or "PARTNERSHIP" in up or "HEALTHCARE" in up:
                ot = "Mental health trust"
            else:
                ot = "Acute trust"
            trusts.append(C.Trust(r[0], name, ot, sizes[ot]))
            n_extra -= 1
    return trusts


def _establishments(rng: np.random.Generator, scale: C.Scale) -> pd.DataFrame:
    n = scale.n_asc
    ids = np.sort(rng.choice(100_000, n, replace=False))
    est_id = np.char.add("1-10000", np.char.zfill(ids.astype(str), 5)).astype(object)
    svc = np.array(C.SERVICES, dtype=object)[rng.choice(len(C.SERVICES), n, p=C.SERVICE_P)]
    place = np.array(PLACES, dtype=object)[rng.integers(0, len(PLACES), n)]
    home = np.array(HOME_NOUNS, dtype=object)[rng.integers(0, len(HOME_NOUNS), n)]
    dom = np.array(DOM_NOUNS, dtype=object)[rng.integers(0, len(DOM_NOUNS), n)]
    is_home = np.char.startswith(svc.astype(str), "Care home")
    name = np.where(is_home, place + " " + home, place + " " + dom)
    cqc = np.char.add("1-", rng.integers(100_000_000, 9_999_999_999, n).astype(str)).astype(object)
    cqc[(svc == "Supported living") & (rng.random(n) < 0.3)] = ""
    size_mult = np.select(
        [svc == "Care home with nursing", svc == "Care home without nursing", svc == "Domiciliary care"],
        [1.4, 0.9, 1.1],
        0.6,
    )
    size = np.maximum(np.round(scale.asc_mean_size * size_mult * rng.lognormal(0, 0.35, n)), 6).astype(int)
    return pd.DataFrame(
        {
            "establishment_id": est_id,
            "establishment_name": name,
            "cqc_location_id": cqc,
            "local_authority_code": np.array(C.LA_CODES, dtype=object)[rng.choice(3, n, p=C.LA_P)],
            "sector": np.where(rng.random(n) < 0.08, "Local Authority", "Independent"),
            "main_service": svc,
            "size": size,
            "hazard_factor": rng.lognormal(0, 0.3, n),
        }
    )


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")


# nhs_pwr's figure columns and the simulated monthly figures (hundredths) they are written from
PWR_FIGURES = {
    "establishment_fte": "establishment",
    "substantive_fte": "substantive",
    "bank_fte": "bank",
    "agency_fte": "agency",
    "vacancy_fte": "vacancy",
    "sickness_fte_days_lost": "lost",
    "sickness_fte_days_available": "avail",
}


def _vocabulary(code: str) -> tuple[str, str]:
    """(vocabulary, spelling) a trust writes staff_group in (config.STAFF_GROUP_VOCABULARY)."""
    return C.STAFF_GROUP_VOCABULARY.get(code, ("ESR", "as published"))


def _in_vocabulary(groups: np.ndarray, vocabulary: str) -> np.ndarray:
    if vocabulary != "NHS England":
        return groups
    return np.array([C.NHSE_STAFF_GROUP[g] for g in groups], dtype=object)


def _spelled(values: np.ndarray, spelling: str) -> np.ndarray:
    """'mixed': a row's value as published, UPPER CASE, '&' written 'and', or lower case, by its position."""
    if spelling != "mixed" or not len(values):
        return values
    out = np.array(values, dtype=object)
    position = np.arange(len(out)) % 4
    out[position == 1] = [v.upper() for v in out[position == 1]]
    out[position == 2] = [v.replace("&", "and") for v in out[position == 2]]
    out[position == 3] = [v.replace("&", "and").lower() for v in out[position == 3]]
    return out


def _staff_groups(code: str, groups: np.ndarray) -> np.ndarray:
    """ESR staff groups as trust `code` writes them."""
    vocabulary, spelling = _vocabulary(code)
    return _spelled(_in_vocabulary(groups, vocabulary), spelling)


def _less_common_reasons(reasons: np.ndarray) -> np.ndarray:
    """Half the leavers of each reason of config.LESS_COMMON_NHS_REASONS written with a rarer ESR reason
    of the same harmonised reason, chosen by position."""
    out = np.array(reasons, dtype=object)
    for reason, rarer in C.LESS_COMMON_NHS_REASONS.items():
        rows = np.flatnonzero(out == reason)[1::2]
        out[rows] = [rarer[k % len(rarer)] for k in range(len(rows))]
    return out


def _ni_text(ni: np.ndarray, fmt: np.ndarray) -> np.ndarray:
    """fmt: 0 empty, 1 canonical, 2 lower case, 3 spaced ('AB 12 34 56 C')."""
    out = ni.astype(object).copy()
    out[fmt == 0] = ""
    lo = fmt == 2
    if lo.any():
        out[lo] = np.char.lower(ni[lo].astype(str)).astype(object)
    sp = fmt == 3
    if sp.any():
        s = ni[sp].astype("U9")
        v = s.view("U1").reshape(len(s), 9)
        sep = np.full((len(s), 1), " ")
        spaced = np.concatenate([v[:, 0:2], sep, v[:, 2:4], sep, v[:, 4:6], sep, v[:, 6:8], sep, v[:, 8:9]], axis=1)
        out[sp] = spaced.view(f"U{spaced.shape[1]}").ravel().astype(object)
    return out


class Writer:
    def __init__(self, out: Path, sim: Sim, register: pd.DataFrame, messy: Messy, est: pd.DataFrame):
        self.out = out
        self.sim = sim
        self.messy = messy
        self.est = est
        self.codes = np.array(sim.codes, dtype=object)
        self.members = register
        self.pred = sim.scale.merger_from if sim.pred is not None else None

    # ---------------------------------------------------------------- NHS
    def _esr_frame(self, S: Tab, period: str) -> pd.DataFrame:
        pc = self.sim.P.cols
        pid = S["pid"]
        ym = int(period[:4]) * 12 + int(period[5:]) - 1
        age = (ym - pc["birth"][pid]) // 12
        ns = pc["nhs_start"][pid].astype(np.int64)
        start = S["start"].astype(np.int64)
        ns = np.where((ns >= 0) & (ns <= start), ns, start)
        ns = np.where(pid % 23 == 0, -1, ns)
        emp = S["emp"].astype(str).astype(object)
        occ = np.where(S["occ"] >= 0, _OCC_FLAT[np.maximum(S["occ"], 0)], "")
        return pd.DataFrame(
            {
                "org_code": self.codes[S["org"]],
                "period": period,
                "ni_number": _ni_text(pc["ni"][pid], np.where(S["nif"] == 1, 2, 1)),
                "employee_number": emp,
                "assignment_number": emp + "-" + S["asn"].astype(str).astype(object),
                "staff_group": np.array(C.STAFF_GROUPS, dtype=object)[S["sg"]],
                "occupation_code": occ,
                "afc_band": np.array(C.BANDS, dtype=object)[S["band"]],
                "assignment_category": np.array(C.CAT, dtype=object)[S["cat"]],
                "fte": fmt_hundredths(S["fte"]),
                "assignment_start_date": day_str(start),
                "nhs_start_date": day_str(ns),
                "age_band": np.array(C.AGE_BANDS, dtype=object)[
                    np.searchsorted([25, 35, 45, 55, 65], age, side="right")
                ],
                "gender": np.array(C.GENDERS, dtype=object)[pc["gender"][pid]],
                "ethnic_group": np.array(C.ETHNIC, dtype=object)[pc["eth"][pid]],
                "disability": np.array(C.DISABILITY, dtype=object)[pc["dis"][pid]],
                "_emp": S["emp"],
                "_asn": S["asn"],
            }
        )

    def _member(self, code: str, period: str) -> bool:
        if code == self.pred:
            return period <= self.messy.merger_end
        return True

    def write_nhs(self, mo: MonthOut) -> dict:
        """Write the four NHS sources of the month; returns availability facts."""
        out, period, messy = self.out, mo.period, self.messy
        staff = self._esr_frame(mo.nhs_snap, period)
        staff = with_optional_columns(staff, self.sim.routes, mo.nhs_snap["pid"], mo.nhs_snap["start"], "org_code")
        staff = staff.sort_values(["_emp", "_asn"], kind="stable")
        ended = mo.nhs_ended
        lv = self._esr_frame(ended, period)
        lv["leaving_date"] = day_str(ended["end"])
        reasons = np.array(C.NHS_REASONS_CROSSWALK, dtype=object)
        lv["reason_for_leaving"] = reasons[ended["reason"]]
        lv["destination"] = np.array(C.DESTINATIONS, dtype=object)[ended["dest"]]
        lv = lv.sort_values(["_emp", "_asn"], kind="stable")
        written = []
        staff_by = dict(tuple(staff.groupby("org_code", sort=False)))
        lv_by = dict(tuple(lv.groupby("org_code", sort=False)))
        empty_staff, empty_lv = staff.iloc[:0], lv.iloc[:0]
        for code in self.sim.codes:
            if not self._member(code, period):
                continue
            s = staff_by.get(code, empty_staff)[ESR_COLUMNS + optional_columns(code)]
            s = s.assign(staff_group=_staff_groups(code, s["staff_group"].to_numpy()))
            path = out / "nhs_esr_staff" / period / f"{code}.csv"
            if code == "RWE" and period == messy.month_missing:
                messy.cases.append(
                    {
                        "case": "expected return never arrives",
                        "source": "nhs_esr_staff",
                        "path": str(path.relative_to(out)),
                        "expected_outcome": "WARN: expected return has not arrived (coverage); figures needing "
                        "it are NULL",
                        "detail": f"RWE sent no nhs_esr_staff for {period}: its headcount/FTE/service/leavers/"
                        "joiners for that month and every 12-month figure whose window M-12..M "
                        f"includes {period} are NULL in truth; the leavers file of {period} and the "
                        "next month's leavers (not in a previous snapshot) cannot be checked.",
                    }
                )
            elif code == "RWE" and period == messy.month_v2:
                bad = s.copy()
                row = min(3, len(bad) - 1)
                bad.iloc[row, bad.columns.get_loc("fte")] = "2.5"
                _write_csv(bad, path)
                good = out / "nhs_esr_staff" / period / f"{code}__v2.csv"
                _write_csv(s, good)
                messy.cases.append(
                    {
                        "case": "resubmission corrects an error in v1",
                        "source": "nhs_esr_staff",
                        "path": str(path.relative_to(out)),
                        "expected_outcome": f"quarantined: ERROR fte out of range (0, 1.5], row {row + 1} "
                        "column fte; replaced by RWE__v2.csv which loads",
                        "detail": f"v1 of RWE {period} has fte 2.5 on data row {row + 1} (assignment "
                        f"{bad.iloc[row]['assignment_number']}); v2 "
                        f"({good.relative_to(out)}) is correct and current. Truth uses v2.",
                        "v2_path": str(good.relative_to(out)),
                    }
                )
                written.append(("nhs_esr_staff", code))
            else:
                _write_csv(s, path)
                written.append(("nhs_esr_staff", code))
            le = lv_by.get(code, empty_lv)[LEAVER_COLUMNS]
            le = le.assign(
                staff_group=_staff_groups(code, le["staff_group"].to_numpy()),
                reason_for_leaving=_less_common_reasons(le["reason_for_leaving"].to_numpy()),
            )
            lpath = out / "nhs_esr_leavers" / period / f"{code}.csv"
            if code == "RWE" and period == messy.month_bad_reason:
                le = le.copy()
                cand = np.flatnonzero(
                    (le["assignment_category"] != "Bank").to_numpy()
                    & (le["reason_for_leaving"] == "Voluntary Resignation - Work Life Balance").to_numpy()
                )
                row = int(cand[0]) if len(cand) else 0
                le.iloc[row, le.columns.get_loc("reason_for_leaving")] = C.MESSY_NHS_REASON
                messy.cases.append(
                    {
                        "case": "leaving reason not in the crosswalk",
                        "source": "nhs_esr_leavers",
                        "path": str(lpath.relative_to(out)),
                        "expected_outcome": "loaded with WARN: leaving reason not in crosswalk, mapped to Unknown",
                        "detail": f"data row {row + 1} (assignment {le.iloc[row]['assignment_number']}) has "
                        f"reason_for_leaving '{C.MESSY_NHS_REASON}'.",
                    }
                )
            _write_csv(le, lpath)
            written.append(("nhs_esr_leavers", code))
        # pwr
        pw = mo.pwr
        pw_by = {self.codes[o]: g for o, g in pw.groupby("org", sort=False)}
        for code in self.sim.codes:
            if not self._member(code, period):
                continue
            g = pw_by.get(code, pw.iloc[:0])
            vocabulary, spelling = _vocabulary(code)
            # one row per staff group of the trust's vocabulary: ESR groups of one main staff group summed
            figures = (
                pd.DataFrame(
                    {
                        "staff_group": _in_vocabulary(
                            np.array(C.STAFF_GROUPS, dtype=object)[g["sg"].to_numpy()], vocabulary
                        ),
                        **{column: g[name].to_numpy() for column, name in PWR_FIGURES.items()},
                    }
                )
                .groupby("staff_group", sort=False, as_index=False)
                .sum()
            )
            df = pd.DataFrame(
                {
                    "org_code": code,
                    "period": period,
                    "staff_group": _spelled(figures["staff_group"].to_numpy(), spelling),
                    **{column: fmt_fixed(figures[column].to_numpy() / 100) for column in PWR_FIGURES},
                }
            )
            _write_csv(df, out / "nhs_pwr" / period / f"{code}.csv")
            written.append(("nhs_pwr", code))
        if period == messy.month_unregistered:
            rng = np.random.default_rng([int(self.sim.scale.n_months), 99])
            sgs = [
                C.SG[g]
                for g in (
                    "Medical and Dental",
                    "Nursing and Midwifery Registered",
                    "Additional Clinical Services",
                    "Administrative and Clerical",
                )
            ]
            subst = rng.integers(30_000, 300_000, len(sgs))
            vac = (subst * 0.08).astype(int)
            avail = subst * (month_end_day(period) - month_start_day(period) + 1)
            df = pd.DataFrame(
                {
                    "org_code": C.UNREGISTERED_CODE,
                    "period": period,
                    "staff_group": [C.STAFF_GROUPS[g] for g in sgs],
                    "establishment_fte": fmt_fixed((subst + vac) / 100),
                    "substantive_fte": fmt_fixed(subst / 100),
                    "bank_fte": fmt_fixed(subst * 0.06 / 100),
                    "agency_fte": fmt_fixed(subst * 0.03 / 100),
                    "vacancy_fte": fmt_fixed(vac / 100),
                    "sickness_fte_days_lost": fmt_fixed(avail * 0.05 / 100),
                    "sickness_fte_days_available": fmt_fixed(avail / 100),
                }
            )
            path = out / "nhs_pwr" / period / f"{C.UNREGISTERED_CODE}.csv"
            _write_csv(df, path)
            messy.cases.append(
                {
                    "case": "return from an organisation missing from the register",
                    "source": "nhs_pwr",
                    "path": str(path.relative_to(out)),
                    "expected_outcome": "loaded with WARN: organisation missing from the partner register; "
                    "kept out of ICS totals",
                    "detail": f"{C.UNREGISTERED_CODE} (an ODS trust in etr, not an ICS partner) sent one "
                    f"nhs_pwr for {period}; it is in no truth total.",
                }
            )
        # recruitment
        rec = mo.rec
        rec_by = {self.codes[int(o)]: g for o, g in rec.groupby("org", sort=False)} if len(rec) else {}
        for code in self.sim.codes:
            if not self._member(code, period):
                continue
            g = rec_by.get(code, rec.iloc[:0]).sort_values("ref", kind="stable")
            df = pd.DataFrame(
                {
                    "org_code": code,
                    "period": period,
                    "vacancy_reference": g["ref"].to_numpy(),
                    "staff_group": _staff_groups(
                        code, np.array(C.STAFF_GROUPS, dtype=object)[g["sg"].to_numpy().astype(int)]
                    ),
                    "afc_band": np.array(C.BANDS, dtype=object)[g["band"].to_numpy().astype(int)],
                    "approved_date": day_str(g["approved"].to_numpy()),
                    "advert_date": day_str(g["advert"].to_numpy()),
                    "offer_date": day_str(g["offer"].to_numpy()),
                    "checks_complete_date": day_str(g["checks"].to_numpy()),
                    "start_date": day_str(g["start"].to_numpy()),
                    "outcome": np.array(["Started", "Withdrawn", "Re-advertised"], dtype=object)[
                        g["outcome"].to_numpy().astype(int)
                    ],
                },
                columns=REC_COLUMNS,
            )
            _write_csv(df, out / "nhs_recruitment" / period / f"{code}.csv")
            written.append(("nhs_recruitment", code))
        return {"written": written}

    # ---------------------------------------------------------------- ASC
    def asc_days_sick(self, X: Tab, me: int) -> np.ndarray:
        pc = self.sim.P.cols
        tenure = np.clip((me - X["start"].astype(np.int64)) / 365.0, 0, 1)
        d = np.round(pc["sick"][X["pid"]] * tenure * 2) / 2
        return np.where(X["ctype"] == 3, np.nan, d)

    def write_asc(self, mo: MonthOut) -> np.ndarray:
        out, period = self.out, mo.period
        X = mo.asc_ext
        pc = self.sim.P.cols
        pid = X["pid"]
        ym = int(period[:4]) * 12 + int(period[5:]) - 1
        me = month_end_day(period)
        age = (ym - pc["birth"][pid]) // 12
        sick = self.asc_days_sick(X, me)
        hours = np.where(X["hours"] >= 0, _HOURS_TEXT[np.maximum(X["hours"], 0)], "")
        left = X["leave"] <= me
        lreason = np.where(left, np.array(C.ASC_REASONS, dtype=object)[np.maximum(X["lreason"], 0)], "")
        df = pd.DataFrame(
            {
                "period": period,
                "establishment_id": self.est["establishment_id"].to_numpy()[X["org"]],
                "worker_id": X["wid"].astype(str).astype(object),
                "ni_number": _ni_text(pc["ni"][pid], X["nif"]),
                "main_job_role": np.array(C.ASC_ROLES, dtype=object)[X["role"]],
                "contract_type": np.array(C.CONTRACTS, dtype=object)[X["ctype"]],
                "zero_hours": np.array(C.ZERO_HOURS, dtype=object)[X["zh"]],
                "contracted_hours": hours,
                "start_date_in_role": day_str(X["start"]),
                "start_date_in_sector": day_str(X["sstart"]),
                "leave_date": day_str(np.where(left, X["leave"], -1)),
                "leave_reason": lreason,
                "gender": np.array(C.GENDERS, dtype=object)[pc["gender"][pid]],
                "ethnic_group": np.array(C.ETHNIC, dtype=object)[pc["eth"][pid]],
                "age_band": np.array(C.AGE_BANDS, dtype=object)[
                    np.searchsorted([25, 35, 45, 55, 65], age, side="right")
                ],
                "nationality_group": np.array(C.NATIONALITY, dtype=object)[pc["nat"][pid]],
                "days_sick_12m": fmt_fixed(sick, 1),
                "_org": X["org"],
                "_wid": X["wid"],
            }
        )
        df = with_optional_columns(df, self.sim.routes, pid, X["start"], "establishment_id")
        df = df.sort_values(["_org", "_wid"], kind="stable")
        _write_csv(df[[*ASC_COLUMNS, *ROUTE_COLUMNS, IMD_COLUMN]], out / "asc_wds_workers" / period / "extract.csv")
        v = mo.asc_vac
        e = self.est
        o = v["org"].to_numpy()
        est = pd.DataFrame(
            {
                "period": period,
                "establishment_id": e["establishment_id"].to_numpy()[o],
                "establishment_name": e["establishment_name"].to_numpy()[o],
                "cqc_location_id": e["cqc_location_id"].to_numpy()[o],
                "local_authority_code": e["local_authority_code"].to_numpy()[o],
                "sector": e["sector"].to_numpy()[o],
                "main_service": e["main_service"].to_numpy()[o],
                "job_role": np.array(C.ASC_ROLES, dtype=object)[v["role"].to_numpy()],
                "vacancies": v["vacancies"].to_numpy(),
            }
        )
        _write_csv(est, out / "asc_wds_establishments" / period / "extract.csv")
        return sick


def _register(
    sim: Sim, scale: C.Scale, est: pd.DataFrame, vcse: list[dict], first: str, merger_end: str, final: bool
) -> pd.DataFrame:
    start = f"{first}-01"
    rows = [
        {
            "org_code": C.ICB["org_code"],
            "org_name": C.ICB["org_name"],
            "sector": "NHS",
            "org_type": "ICB",
            "successor_code": "",
            "start_date": start,
            "end_date": "",
            "expected_returns": "",
        }
    ]
    for t in sim.trusts:
        succ, end = "", ""
        if final and t.code == scale.merger_from:
            succ = scale.merger_into
            end = str(np.datetime64(month_end_day(merger_end), "D"))
        rows.append(
            {
                "org_code": t.code,
                "org_name": t.name,
                "sector": "NHS",
                "org_type": t.org_type,
                "successor_code": succ,
                "start_date": start,
                "end_date": end,
                "expected_returns": C.NHS_EXPECTED,
            }
        )
    for r in est.itertuples():
        rows.append(
            {
                "org_code": r.establishment_id,
                "org_name": r.establishment_name,
                "sector": "Adult social care",
                "org_type": C.SERVICE_ORG_TYPE[r.main_service],
                "successor_code": "",
                "start_date": start,
                "end_date": "",
                "expected_returns": C.ASC_EXPECTED,
            }
        )
    for v in vcse:
        rows.append({c: ("" if v.get(c) is None else str(v.get(c))) for c in REGISTER_COLUMNS})
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def generate(
    scale_name: str = "demo", seed: int = 42, out: Path | str | None = None, aggregates: bool = True, truth: bool = True
) -> dict:
    """truth=False writes the same files (the same random draws) and a truth.json without figures: the
    benchmark's region returns, whose truth would need more memory than the machine has (issue #25)."""
    scale = C.SCALES[scale_name]
    out = Path(out if out is not None else scale.default_out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    months = month_list(scale.first_month, scale.n_months)
    first, last = months[0], months[-1]
    trusts = _trusts_for(scale)
    est = _establishments(np.random.default_rng([seed, 3]), scale)
    sim = Sim(scale, seed, trusts, est)
    messy = Messy(
        month_missing=months[7],
        month_v2=months[10],
        month_unregistered=months[12],
        month_bad_reason=months[-3],
        merger_end=sim.merge_end_period,
    )

    agg_rng = np.random.default_rng([seed, 2])
    agg_mod = _aggregates if aggregates else None
    vcse = agg_mod.vcse_partners(agg_rng, scale.n_vcse, first) if agg_mod is not None else []

    reg1 = register_places(_register(sim, scale, est, vcse, first, messy.merger_end, final=False), est, seed)
    reg2 = register_places(_register(sim, scale, est, vcse, first, messy.merger_end, final=True), est, seed)
    _write_csv(reg1, out / "ics_partners" / first / "ics.csv")
    rpath = out / "ics_partners" / messy.merger_end / "ics.csv"
    _write_csv(reg2, rpath)
    messy.cases.append(
        {
            "case": "trust merger",
            "source": "ics_partners",
            "path": str(rpath.relative_to(out)),
            "expected_outcome": f"loaded; {scale.merger_from} reported under {scale.merger_into} for all periods",
            "detail": f"{scale.merger_from} (community trust) merges into {scale.merger_into}: its register row has "
            f"successor_code {scale.merger_into} and end_date {month_end_day_str(messy.merger_end)}. Its "
            f"staff in post at {messy.merger_end} are in {scale.merger_into}'s snapshot of "
            f"{add_months(messy.merger_end, 1)} with the same NI number and assignment_start_date "
            "(new employee numbers): neither leavers nor joiners. Its files stop after "
            f"{messy.merger_end}.",
        }
    )

    ti = TruthInput(months=months, codes=list(sim.codes), est_ids=list(est["establishment_id"]))
    ti.people, ti.bad_reason = sim.P, ("RWE", months.index(messy.month_bad_reason))
    writer = Writer(out, sim, reg2, messy, est)
    ji = JoinerTruthInput(sim, months)
    demand = Demand(seed, reg2, est, list(sim.codes), len(months))
    for mo in sim.run():
        demand.press(mo)
        info = writer.write_nhs(mo)
        sick = writer.write_asc(mo)
        if truth:  # the truth inputs keep every month's staff: the memory that grows with the scale
            ti.add_month(mo, info["written"], sick)
            ji.add_month(mo)
            demand.observe(mo, info["written"])
    messy.cases.append(misplace_establishment(out, months[5]))

    # real published files inside the simulated range
    for f in sorted((REALDATA / "nhs_sickness_absence").glob("nhs_sickness_absence_*.csv")):
        ym = f.stem.rsplit("_", 1)[1]
        if first <= ym <= last:
            dst = out / "nhs_published_sickness" / ym / "england.csv"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dst)
    dst = out / "ods_trusts" / first / "etr.csv"
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REALDATA / "ods" / "etr.csv", dst)
    write_population(out, seed)  # ONS TS021 layout, simulated figures

    agg: dict = {}
    if agg_mod is not None:
        nhs_rows = reg2[reg2["sector"].eq("NHS") & reg2["expected_returns"].ne("")].to_dict("records")
        asc_rows = est[["establishment_id", "establishment_name", "cqc_location_id", "main_service"]].to_dict("records")
        agg = (
            agg_mod.write_aggregate_sources(
                out, rng=agg_rng, nhs_trusts=nhs_rows, asc_establishments=asc_rows, vcse=vcse, months=months
            )
            or {}
        )

    files: dict[str, int] = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.name != "truth.json":
            src = p.relative_to(out).parts[0]
            files[src] = files.get(src, 0) + 1
    if not truth:
        doc = {"scale": scale_name, "seed": seed, "truth": "not computed (--no-truth)", "files": files}
        (out / "truth.json").write_text(_dump_truth(doc), encoding="utf-8")
        return doc
    truth_figures = compute_truth(ti, reg2, sample_periods(months), REFERENCE)  # which clears the staff in post
    doc = {
        "scale": scale_name,
        "seed": seed,
        "params": {
            **C.PARAMS,
            "trusts": [t.__dict__ for t in trusts],
            "n_asc_establishments": scale.n_asc,
            "merger": {
                "predecessor": scale.merger_from,
                "successor": scale.merger_into,
                "end_period": messy.merger_end,
            },
            "unregistered_org": C.UNREGISTERED_CODE,
            "sample_periods": sample_periods(months),
            "sample_professions": "every profession of seeds/reference/profession_crosswalk.csv, where the "
            "organisation has staff in post",
        },
        "first_period": month_end_day_str(first),
        "last_period": month_end_day_str(last),
        "org_months": truth_figures["org_months"],
        "system": truth_figures["system"],
        "joiners": joiner_truth(
            ji, ti.avail, truth_figures["org_months"], reg2, list(est["establishment_id"]), REFERENCE
        ),
        "entry_routes": entry_route_truth(
            ji,
            ti.avail,
            reg2,
            list(est["establishment_id"]),
            REFERENCE,
            sim.routes,
            truth_figures["leaver_events"],
            [months.index(m) for m in sample_periods(months)],
        ),
        "messy_cases": messy.cases + list(agg.get("messy_cases", [])),
        "files": files,
    }
    for k in ("vcse", "survey", "wres", "cqc"):
        if k in agg:
            doc[k] = agg[k]
    doc["leavers"] = truth_leavers.with_vcse_and_system(truth_figures["leavers"], agg.get("vcse"), REFERENCE)
    doc["demand"] = demand.truth(sample_periods(months))
    (out / "truth.json").write_text(_dump_truth(doc), encoding="utf-8")
    return doc


def _final_code(register: pd.DataFrame):
    """org_code -> its final merger successor in the register (itself when not merged)."""
    successor = {r.org_code: r.successor_code for r in register.fillna("").itertuples() if r.successor_code}

    def final(code: str) -> str:
        while code in successor:
            code = successor[code]
        return code

    return final


def sample_periods(months: list[str]) -> list[str]:
    """Month-ends sampled in truth: the missing month (point figures NULL for RWE), a month whose
    12-month window needs it, one in the sickness-file range of a 25-month demo, and the last."""
    idx = sorted({7, 14, len(months) - 5, len(months) - 1})
    return [months[i] for i in idx]


def month_end_day_str(ym: str) -> str:
    return str(np.datetime64(month_end_day(ym), "D"))


def _dump_truth(doc: dict) -> str:
    """JSON with one list element per line (readable diffs, compact file)."""
    parts = []
    for k, v in doc.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            body = ",\n  ".join(json.dumps(x, allow_nan=False, separators=(",", ":")) for x in v)
            parts.append(f"{json.dumps(k)}: [\n  {body}\n ]")
        else:
            parts.append(f"{json.dumps(k)}: {json.dumps(v, allow_nan=False)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"
