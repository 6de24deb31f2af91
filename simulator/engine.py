"""The person-level simulation: NHS assignments and ASC worker records, month by month.

Everything is vectorised with numpy: the only Python loops run over months (and, in small places, over
organisations). One `numpy.random.Generator` drives the simulation in a fixed order, so a seed gives
the same people, the same events and therefore the same files.

State between months:
- `People`: one row per person (NI number, demographics), shared by NHS and ASC.
- `A`: open NHS assignments (Permanent, Fixed Term Temp, Bank) of the simulated trusts.
- `W`: open ASC worker records (one per person and establishment spell).
- `Q`: pending starts (moves inside the ICS, rejoiners after an absence, flexi-retirement returns).

Each simulated month yields a `MonthOut` with the month-end ESR snapshot, the assignments that ended in
the month, the ASC extract rows, the provider workforce return figures, the recruitment rows and the
ASC vacancies: the writer turns it into files and the truth into figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import config as C
from .routes import RouteFlags
from .util import BIG, isin, month_end_day, month_list, month_start_day, unique

Tab = dict[str, np.ndarray]


def take(t: Tab, idx) -> Tab:
    return {k: v[idx] for k, v in t.items()}


def concat(a: Tab, b: Tab) -> Tab:
    return {k: np.concatenate([a[k], b[k].astype(a[k].dtype, copy=False)]) for k in a}


def choice_idx(rng: np.random.Generator, p, n: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def season(month: int) -> float:
    """Winter uplift of vacancies and sickness (month 1..12)."""
    up = C.PARAMS["winter_uplift"]
    if month in (12, 1, 2):
        return 1 + up
    if month in (11, 3):
        return 1 + up / 2
    if month in (6, 7, 8):
        return 1 - up / 2
    return 1.0


_NI_LETTERS = np.array(list("ABCEGHJKLMNPRSTWXYZ"))
_NI_BAD = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


class People:
    """Persons: NI number and demographics; grows as people are created."""

    def __init__(self):
        self.n = 0
        self.cols: Tab = {
            "ni": np.empty(0, dtype=object),
            "gender": np.empty(0, np.int8),
            "eth": np.empty(0, np.int8),
            "dis": np.empty(0, np.int8),
            "birth": np.empty(0, np.int32),  # year*12 + month-1
            "nat": np.empty(0, np.int8),
            "nhs_start": np.empty(0, np.int32),  # day number, -1 unknown
            "sick": np.empty(0, np.float32),  # ASC days sick per year
        }
        self.used_ni: np.ndarray = np.empty(0, np.int64)

    def _ni(self, rng: np.random.Generator, n: int) -> np.ndarray:
        space = 361 * 4_000_000
        out = np.empty(0, np.int64)
        while len(out) < n:
            c = rng.integers(0, space, size=(n - len(out)) * 2 + 8)
            p = c // 4_000_000
            pref = np.char.add(_NI_LETTERS[p // 19], _NI_LETTERS[p % 19])
            c = c[~isin(pref, list(_NI_BAD))]
            c = c[~isin(c, self.used_ni)]
            _, first = unique(c, return_index=True)
            c = c[np.sort(first)]
            c = c[~isin(c, out)]
            out = np.concatenate([out, c[: n - len(out)]])
        self.used_ni = np.sort(np.concatenate([self.used_ni, out]))
        p = out // 4_000_000
        rest = out % 4_000_000
        txt = np.char.add(
            np.char.add(_NI_LETTERS[p // 19], _NI_LETTERS[p % 19]), np.char.zfill((rest // 4).astype(str), 6)
        )
        txt = np.char.add(txt, np.array(list("ABCD"))[rest % 4])
        return txt.astype(object)

    def add(self, rng: np.random.Generator, n: int, sector: str, today: int, initial: bool) -> np.ndarray:
        """Create n people aged for `today` (day number); returns their ids."""
        ages = np.arange(18, 68)
        centre, width = (42, 13) if initial else (31, 10)
        w = np.exp(-(((ages - centre) / width) ** 2))
        age = ages[choice_idx(rng, w, n)]
        d = np.datetime64(int(today), "D").astype("datetime64[M]").astype(int)  # months since 1970-01
        today_ym = 1970 * 12 + d
        birth = today_ym - age * 12 - rng.integers(0, 12, n)
        new = {
            "ni": self._ni(rng, n),
            "gender": choice_idx(rng, C.GENDER_P[sector], n).astype(np.int8),
            "eth": choice_idx(rng, C.ETHNIC_P[sector], n).astype(np.int8),
            "dis": choice_idx(rng, C.DISABILITY_P, n).astype(np.int8),
            "birth": birth.astype(np.int32),
            "nat": choice_idx(rng, C.NATIONALITY_P, n).astype(np.int8),
            "nhs_start": np.full(n, -1, np.int32),
            "sick": rng.gamma(0.9, C.PARAMS["asc_mean_days_sick_12m"] / 0.9, n).astype(np.float32),
        }
        ids = np.arange(self.n, self.n + n, dtype=np.int64)
        self.cols = concat(self.cols, new)
        self.n += n
        return ids

    def age_at(self, pid: np.ndarray, ym: int) -> np.ndarray:
        return (ym - self.cols["birth"][pid]) // 12


@dataclass
class MonthOut:
    t: int  # index into the output months
    period: str
    nhs_snap: Tab  # assignments open at month end
    nhs_ended: Tab  # assignments that ended in the month
    asc_ext: Tab  # ASC extract rows
    pwr: pd.DataFrame  # org, sg, substantive/bank/agency/vacancy/establishment cents, sick lost/avail cents
    rec: pd.DataFrame  # recruitment rows
    asc_vac: pd.DataFrame  # org, role, vacancies


class Sim:
    def __init__(self, scale: C.Scale, seed: int, trusts: list[C.Trust], establishments: pd.DataFrame):
        self.scale = scale
        self.rng = np.random.default_rng([seed, 1])
        self.routes = RouteFlags(seed, month_start_day(scale.first_month))  # entry routes (simulator/routes.py)
        self.burn = scale.burn_in
        self.months_all = month_list(str(np.datetime64(scale.first_month, "M") - self.burn), self.burn + scale.n_months)
        self.trusts = trusts
        self.codes = [t.code for t in trusts]
        self.org_ix = {c: i for i, c in enumerate(self.codes)}
        self.norg = len(trusts)
        self.type_of = np.array([t.org_type for t in trusts], dtype=object)
        self.size0 = np.array([t.size for t in trusts], dtype=float)
        self.est = establishments.reset_index(drop=True)
        self.nest = len(self.est)
        self.est_size0 = self.est["size"].to_numpy(float)
        self.est_factor = self.est["hazard_factor"].to_numpy(float)
        self.est_service = self.est["main_service"].to_numpy(object)
        # merger: predecessor's staff transfer to the successor at the start of month `merge_t`
        self.pred = self.org_ix.get(scale.merger_from)
        self.succ = self.org_ix.get(scale.merger_into)
        self.merge_end_period = str(np.datetime64(scale.first_month, "M") + scale.n_months - 11)
        self.merge_t = self.months_all.index(self.merge_end_period) + 1
        self.P = People()
        self.next_emp = 20_000_000 + int(self.rng.integers(0, 500_000))
        self.next_wid = 3_000_000 + int(self.rng.integers(0, 500_000))
        self.next_uid = 0
        self.emp_keys = np.empty(0, np.int64)
        self.emp_vals = np.empty(0, np.int64)
        self.emp_next = np.empty(0, np.int64)
        self.vac_counter = np.zeros(self.norg + 1, np.int64)
        self.readvert: pd.DataFrame = pd.DataFrame({"org": [], "ref": [], "approved": []}).astype(
            {"org": int, "ref": object, "approved": np.int64}
        )
        self.new_sub: list[Tab] = []  # new substantive assignments of the month (for recruitment)
        self.A = self._empty_A()
        self.W = self._empty_W()
        self.Q = self._empty_Q()

    # ------------------------------------------------------------------ tables
    @staticmethod
    def _empty_A() -> Tab:
        i4, i2, i1, i8 = np.int32, np.int16, np.int8, np.int64
        return {
            "uid": np.empty(0, i8),
            "pid": np.empty(0, i8),
            "org": np.empty(0, i2),
            "emp": np.empty(0, i8),
            "asn": np.empty(0, i2),
            "sg": np.empty(0, i1),
            "occ": np.empty(0, i2),
            "band": np.empty(0, i1),
            "cat": np.empty(0, i1),
            "fte": np.empty(0, i2),
            "start": np.empty(0, i4),
            "end": np.empty(0, i4),
            "reason": np.empty(0, i2),
            "dest": np.empty(0, i1),
            "nif": np.empty(0, i1),
            "lock": np.empty(0, i2),
        }

    @staticmethod
    def _empty_W() -> Tab:
        i4, i2, i1, i8 = np.int32, np.int16, np.int8, np.int64
        return {
            "pid": np.empty(0, i8),
            "org": np.empty(0, i4),
            "wid": np.empty(0, i8),
            "role": np.empty(0, i1),
            "ctype": np.empty(0, i1),
            "zh": np.empty(0, i1),
            "hours": np.empty(0, i2),
            "start": np.empty(0, i4),
            "sstart": np.empty(0, i4),
            "leave": np.empty(0, i4),
            "lreason": np.empty(0, i1),
            "nif": np.empty(0, i1),
        }

    @staticmethod
    def _empty_Q() -> Tab:
        i4, i2, i1, i8 = np.int32, np.int16, np.int8, np.int64
        return {
            "pid": np.empty(0, i8),
            "sector": np.empty(0, i1),
            "org": np.empty(0, i4),
            "start": np.empty(0, i4),
            "sg": np.empty(0, i1),
            "band": np.empty(0, i1),
            "cat": np.empty(0, i1),
            "fte": np.empty(0, i2),
            "role": np.empty(0, i1),
            "ctype": np.empty(0, i1),
            "kind": np.empty(0, i1),
        }

    # ------------------------------------------------------------------ NHS helpers
    def _alloc_numbers(self, pid: np.ndarray, org: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Employee number per (person, trust), stable over spells; assignment n increments."""
        k = pid.astype(np.int64) * 1024 + org.astype(np.int64)
        uk, inv, cnt = unique(k, return_inverse=True, return_counts=True)
        pos = np.searchsorted(self.emp_keys, uk)
        if len(self.emp_keys):
            found = (pos < len(self.emp_keys)) & (self.emp_keys[np.minimum(pos, len(self.emp_keys) - 1)] == uk)
        else:
            found = np.zeros(len(uk), bool)
        emp_u = np.zeros(len(uk), np.int64)
        n_u = np.ones(len(uk), np.int64)
        if len(self.emp_keys):
            emp_u[found] = self.emp_vals[pos[found]]
            n_u[found] = self.emp_next[pos[found]]
        nnew = int((~found).sum())
        emp_u[~found] = self.next_emp + np.cumsum(self.rng.integers(1, 7, nnew))
        if nnew:
            self.next_emp = int(emp_u[~found].max())
        rank = pd.Series(k).groupby(k).cumcount().to_numpy()
        asn = n_u[inv] + rank
        # update the map
        if found.any():
            self.emp_next[pos[found]] = n_u[found] + cnt[found]
        if nnew:
            keys = np.concatenate([self.emp_keys, uk[~found]])
            vals = np.concatenate([self.emp_vals, emp_u[~found]])
            nxt = np.concatenate([self.emp_next, 1 + cnt[~found]])
            o = np.argsort(keys, kind="stable")
            self.emp_keys, self.emp_vals, self.emp_next = keys[o], vals[o], nxt[o]
        return emp_u[inv], asn.astype(np.int16)

    def _new_asgs(self, pid, org, sg, band, cat, fte, start, lock_t=-1, kind="hire") -> Tab:
        n = len(pid)
        rng = self.rng
        emp, asn = self._alloc_numbers(pid, org)
        occ = np.full(n, -1, np.int16)
        has_occ = rng.random(n) > 0.08
        occ_idx = rng.integers(0, 1000, n)
        occ[has_occ] = (
            sg[has_occ].astype(np.int16) * 16
            + (occ_idx[has_occ] % np.array([len(C.OCCUPATION_CODES[g]) for g in C.STAFF_GROUPS])[sg[has_occ]])
        ).astype(np.int16)
        new = {
            "uid": np.arange(self.next_uid, self.next_uid + n, dtype=np.int64),
            "pid": pid.astype(np.int64),
            "org": org.astype(np.int16),
            "emp": emp,
            "asn": asn,
            "sg": sg.astype(np.int8),
            "occ": occ,
            "band": band.astype(np.int8),
            "cat": cat.astype(np.int8),
            "fte": fte.astype(np.int16),
            "start": start.astype(np.int32),
            "end": np.full(n, BIG, np.int32),
            "reason": np.full(n, -1, np.int16),
            "dest": np.full(n, -1, np.int8),
            "nif": (rng.random(n) < 0.03).astype(np.int8),
            "lock": np.full(n, lock_t, np.int16),
        }
        self.next_uid += n
        self.A = concat(self.A, new)
        sub = cat != 2
        if kind != "merger" and sub.any():
            self.new_sub.append(
                {
                    "org": org[sub].astype(np.int64),
                    "sg": sg[sub].astype(np.int64),
                    "band": band[sub].astype(np.int64),
                    "start": start[sub].astype(np.int64),
                    "internal": np.full(int(sub.sum()), kind == "role", bool),
                }
            )
        return new

    def _draw_sg(self, org: np.ndarray) -> np.ndarray:
        out = np.zeros(len(org), np.int8)
        for ot in unique(self.type_of[org]):
            m = self.type_of[org] == ot
            out[m] = choice_idx(self.rng, C.SG_MIX[ot], int(m.sum()))
        return out

    def _draw_band(self, sg: np.ndarray) -> np.ndarray:
        out = np.zeros(len(sg), np.int8)
        for g in unique(sg):
            m = sg == g
            mix = C.BAND_MIX[C.STAFF_GROUPS[g]]
            b = np.array([C.B[k] for k in mix])
            out[m] = b[choice_idx(self.rng, list(mix.values()), int(m.sum()))]
        return out

    def _draw_fte(self, sg: np.ndarray) -> np.ndarray:
        f = np.array(C.FTE_VALUES)[choice_idx(self.rng, C.FTE_P, len(sg))]
        f[(sg == C.SG["Medical and Dental"]) & (self.rng.random(len(sg)) < 0.7)] = 100
        return f.astype(np.int16)

    def _draw_cat(self, sg: np.ndarray) -> np.ndarray:
        p = np.full(len(sg), C.PARAMS["fixed_term_share_of_hires"])
        p[sg == C.SG["Medical and Dental"]] = 0.35
        p[sg == C.SG["Students"]] = 0.9
        return (self.rng.random(len(sg)) < p).astype(np.int8)

    def _hire_nhs(self, org: np.ndarray, start: np.ndarray, t: int) -> None:
        n = len(org)
        if n == 0:
            return
        pid = self.P.add(self.rng, n, "NHS", int(start.min()), initial=False)
        ns = np.where(self.rng.random(n) < 0.5, start, start - self.rng.integers(365, 365 * 20, n)).astype(np.int32)
        ns[self.rng.random(n) < 0.05] = -1
        self.P.cols["nhs_start"][pid] = ns
        sg = self._draw_sg(org)
        self._new_asgs(pid, org, sg, self._draw_band(sg), self._draw_cat(sg), self._draw_fte(sg), start)

    # ------------------------------------------------------------------ ASC helpers
    def _draw_role(self, est: np.ndarray) -> np.ndarray:
        out = np.zeros(len(est), np.int8)
        svc = self.est_service[est]
        for s in unique(svc):
            m = svc == s
            mix = dict(C.ROLE_MIX[s])
            mix["Registered Manager"] = 0.02
            r = np.array([C.AR[k] for k in mix])
            out[m] = r[choice_idx(self.rng, list(mix.values()), int(m.sum()))]
        return out

    def _new_workers(self, pid, est, role, start, ctype=None) -> None:
        n = len(pid)
        if n == 0:
            return
        rng = self.rng
        if ctype is None:
            ctype = choice_idx(rng, C.CONTRACT_P, n).astype(np.int8)
            ctype[role == C.AR["Registered Manager"]] = 0
        dom = isin(self.est_service[est], ["Domiciliary care", "Supported living"])
        pz = np.where(dom, 0.35, 0.08)
        pz = np.where(ctype == 2, 0.8, pz)
        zh = np.where(rng.random(n) < pz, 0, 1).astype(np.int8)
        zh[(ctype == 3) & (rng.random(n) < 0.5)] = 2
        hours = np.array(C.HOURS_VALUES)[choice_idx(rng, C.HOURS_P, n)].astype(np.int16)
        hours[(zh == 0) & (rng.random(n) < 0.9)] = -1
        hours[(zh != 0) & (rng.random(n) < 0.03)] = -1
        sstart = np.where(rng.random(n) < 0.45, start, start - rng.integers(30, 365 * 15, n)).astype(np.int32)
        sstart[rng.random(n) < 0.2] = -1
        nif = choice_idx(rng, [C.PARAMS["asc_empty_ni_share"], 0.53, 0.04, 0.08], n).astype(np.int8)
        wid = self.next_wid + np.cumsum(rng.integers(1, 9, n))
        self.next_wid = int(wid.max())
        new = {
            "pid": pid.astype(np.int64),
            "org": est.astype(np.int32),
            "wid": wid.astype(np.int64),
            "role": role.astype(np.int8),
            "ctype": ctype.astype(np.int8),
            "zh": zh,
            "hours": hours,
            "start": start.astype(np.int32),
            "sstart": sstart,
            "leave": np.full(n, BIG, np.int32),
            "lreason": np.full(n, -1, np.int8),
            "nif": nif,
        }
        self.W = concat(self.W, new)

    # ------------------------------------------------------------------ initial population
    def init_population(self) -> None:
        rng = self.rng
        t0 = month_start_day(self.months_all[0])
        # NHS: substantive people per trust
        org = np.repeat(np.arange(self.norg), self.size0.astype(int))
        n = len(org)
        pid = self.P.add(rng, n, "NHS", t0, initial=True)
        ages = self.P.age_at(pid, self._ym(0))
        max_service = np.maximum((ages - 18) * 365, 30)
        service = np.minimum(rng.exponential(8 * 365, n), max_service).astype(np.int32) + 1
        start = t0 - service
        ns = np.where(rng.random(n) < 0.6, start, start - rng.integers(30, 365 * 10, n)).astype(np.int32)
        ns[rng.random(n) < 0.05] = -1
        self.P.cols["nhs_start"][pid] = ns
        sg = self._draw_sg(org)
        cat = self._draw_cat(sg)
        cat[rng.random(n) < 0.6] = 0  # fixed terms are mostly recent
        self._new_asgs(pid, org, sg, self._draw_band(sg), cat, self._draw_fte(sg), start, kind="merger")
        # second substantive assignment (some in another staff group)
        two = rng.random(n) < C.PARAMS["nhs_second_assignment_share"]
        self._second_asgs(pid[two], org[two], start[two], t0 - 1)
        # bank alongside substantive
        bk = rng.random(n) < C.PARAMS["nhs_bank_alongside_share"]
        bstart = (start[bk] + (t0 - start[bk]) * rng.random(int(bk.sum()))).astype(np.int32)
        self._bank_asgs(pid[bk], org[bk], bstart, kind="merger")
        # bank-only people
        nb = (self.size0 * C.PARAMS["nhs_bank_only_share"]).astype(int)
        borg = np.repeat(np.arange(self.norg), nb)
        bpid = self.P.add(rng, len(borg), "NHS", t0, initial=True)
        bst = t0 - rng.integers(30, 365 * 4, len(borg)).astype(np.int32)
        self.P.cols["nhs_start"][bpid] = bst
        self._bank_asgs(bpid, borg, bst, kind="merger")
        # ASC workers
        est = np.repeat(np.arange(self.nest), self.est_size0.astype(int))
        m = len(est)
        wpid = self.P.add(rng, m, "ASC", t0, initial=True)
        wages = self.P.age_at(wpid, self._ym(0))
        wmax = np.maximum((wages - 17) * 365, 30)
        wservice = np.minimum(rng.exponential(4 * 365, m), wmax).astype(np.int32) + 1
        role = self._draw_role(est)
        first = np.r_[True, est[1:] != est[:-1]]
        role[first] = C.AR["Registered Manager"]
        self._new_workers(wpid, est, role, (t0 - wservice).astype(np.int32))
        self.new_sub = []

    def _second_asgs(self, pid, org, first_start, latest, exact: bool = False) -> None:
        """A second substantive assignment, half in Administrative and Clerical, half in Additional
        Clinical Services (so some people hold two staff groups). `exact`: start on `latest`."""
        n = len(pid)
        if n == 0:
            return
        rng = self.rng
        sg = np.where(
            rng.random(n) < 0.5, C.SG["Administrative and Clerical"], C.SG["Additional Clinical Services"]
        ).astype(np.int8)
        if exact:
            start = np.asarray(latest, np.int32)
        else:
            start = np.maximum(first_start + 30, latest - rng.integers(0, 365 * 3, n))
            start = np.minimum(start, latest).astype(np.int32)
        fte = np.array([20, 27, 40, 13])[rng.integers(0, 4, n)].astype(np.int16)
        self._new_asgs(pid, org, sg, self._draw_band(sg), np.zeros(n, np.int8), fte, start, kind="second")

    def _bank_asgs(self, pid, org, start, kind="bank") -> None:
        n = len(pid)
        if n == 0:
            return
        sg = self._draw_sg(org)
        fte = np.array([10, 20, 30, 50, 100])[self.rng.integers(0, 5, n)].astype(np.int16)
        self._new_asgs(
            pid, org, sg, self._draw_band(sg), np.full(n, 2, np.int8), fte, start.astype(np.int32), kind=kind
        )

    # ------------------------------------------------------------------ calendar
    def _ym(self, t: int) -> int:
        y, m = self.months_all[t].split("-")
        return int(y) * 12 + int(m) - 1

    # ------------------------------------------------------------------ the month step
    def run(self):
        self.init_population()
        for t in range(len(self.months_all)):
            out = self.step(t)
            if t >= self.burn:
                yield out

    def step(self, t: int) -> MonthOut | None:
        period = self.months_all[t]
        ms, me = month_start_day(period), month_end_day(period)
        nd = me - ms + 1
        ym = self._ym(t)
        self.new_sub = []

        # merger: the predecessor's open assignments move to the successor on the first day of merge_t
        if t == self.merge_t and self.pred is not None:
            A = self.A
            mv = np.flatnonzero(A["org"] == self.pred)
            emp, asn = self._alloc_numbers(A["pid"][mv], np.full(len(mv), self.succ, np.int16))
            A["org"][mv] = self.succ
            A["emp"][mv] = emp
            A["asn"][mv] = asn
            A["lock"][mv] = t
            self.Q["org"][(self.Q["sector"] == 0) & (self.Q["org"] == self.pred)] = self.succ

        self._nhs_leaving(t, ms, me, nd, ym)
        self._asc_leaving(t, ms, me, nd, ym)
        self._arrivals(t, ms, me)
        self._nhs_other_events(t, ms, me, nd)
        self._nhs_hires(t, ms, me, nd)
        self._asc_hires(t, ms, me, nd)

        # ----- outputs
        A, W = self.A, self.W
        snap_m = (A["start"] <= me) & (A["end"] > me)
        ended_m = (A["end"] >= ms) & (A["end"] <= me)
        out = None
        if t >= self.burn:
            nhs_snap = take(A, np.flatnonzero(snap_m))
            nhs_ended = take(A, np.flatnonzero(ended_m))
            ext_m = (W["start"] <= me) & (W["leave"] >= ms)
            asc_ext = take(W, np.flatnonzero(ext_m))
            out = MonthOut(
                t=t - self.burn,
                period=period,
                nhs_snap=nhs_snap,
                nhs_ended=nhs_ended,
                asc_ext=asc_ext,
                pwr=self._pwr(nhs_snap, period, nd),
                rec=self._recruitment(t, ms, me),
                asc_vac=self._asc_vacancies(asc_ext, period, me),
            )
        # purge what ended
        self.A = take(A, np.flatnonzero(~ended_m))
        self.W = take(W, np.flatnonzero(~((W["leave"] >= ms) & (W["leave"] <= me))))
        return out

    # ------------------------------------------------------------------ NHS leaving
    def _hazard_norm(self, mult: np.ndarray, annual: float) -> np.ndarray:
        if len(mult) == 0:
            return mult
        return annual / 12 * mult / mult.mean()

    def _nhs_leaving(self, t, ms, me, nd, ym) -> None:
        rng = self.rng
        P = C.PARAMS
        H = P["hazard_multipliers"]
        A = self.A
        n = len(A["pid"])
        if n == 0:
            return
        key = A["pid"] * 1024 + A["org"]
        df = pd.DataFrame(
            {
                "key": key,
                "start": A["start"],
                "sub": A["cat"] != 2,
                "ftt": A["cat"] == 1,
                "locked": A["lock"] >= t,
            }
        )
        df["sub_start"] = np.where(df["sub"], df["start"], BIG)
        g = df.groupby("key", sort=True).agg(
            maxstart=("start", "max"),
            sub=("sub", "any"),
            ftt=("ftt", "any"),
            first=("sub_start", "min"),
            locked=("locked", "any"),
        )
        g = g[(g["maxstart"] < ms) & g["sub"] & ~g["locked"]]
        keys = g.index.to_numpy()
        pid = keys // 1024
        org = (keys % 1024).astype(np.int64)
        pc = self.P.cols
        age = self.P.age_at(pid, ym)
        service = ms - g["first"].to_numpy()
        mult = np.ones(len(keys))
        mult *= np.where(service < 365, H["first_year"], 1.0)
        mult *= np.where(isin(pc["eth"][pid], [1, 2, 3, 4]), H["ethnic_minority"], 1.0)
        mult *= np.where(pc["dis"][pid] == 0, H["disabled"], 1.0)
        mult *= np.where(age < 25, H["age_under_25"], 1.0)
        mult *= np.where(age >= 60, H["age_60_plus"], 1.0)
        mult *= np.where(age >= 67, H["age_67_plus"], 1.0)
        mult *= np.where(g["ftt"].to_numpy(), H["fixed_term"], 1.0)
        mult *= self.routes.leaving_factor(pid)
        h = self._hazard_norm(mult, P["nhs_annual_turnover_target"])
        leave = rng.random(len(keys)) < h
        if not leave.any():
            return
        lk, lpid, lorg, lage = keys[leave], pid[leave], org[leave], age[leave]
        nl = len(lk)
        lftt = g["ftt"].to_numpy()[leave]
        # outcome of each leaving spell
        retire = rng.random(nl) < np.where(lage >= 60, 0.8, np.where(lage >= 55, 0.3, 0.0))
        reason = np.array([C.R[k] for k in C.NHS_REASON_MIX])[choice_idx(rng, list(C.NHS_REASON_MIX.values()), nl)]
        rr = np.array([C.R[k] for k in C.NHS_RETIRE_MIX])[choice_idx(rng, list(C.NHS_RETIRE_MIX.values()), nl)]
        reason = np.where(retire, rr, reason)
        eoc = lftt & ~retire & (rng.random(nl) < 0.6)
        reason = np.where(
            eoc,
            np.where(
                rng.random(nl) < 0.15,
                C.R["End of Fixed Term Contract - Completion of Training Scheme"],
                C.R["End of Fixed Term Contract"],
            ),
            reason,
        )
        u = rng.random(nl)
        c1 = P["nhs_move_in_ics_share"]
        c2 = c1 + P["nhs_to_asc_share"]
        c3 = c2 + P["nhs_to_bank_only_share"]
        c4 = c3 + P["rejoin_share"]
        working = ~retire
        move_nhs = working & (u < c1) & (self.norg > 1)
        move_asc = working & (u >= c1) & (u < c2)
        to_bank = working & (u >= c2) & (u < c3)
        rejoin = working & (u >= c3) & (u < c4)
        flexi_back = (reason == C.R["Flexi Retirement"]) & (rng.random(nl) < P["flexi_retirement_return_share"])
        dest = choice_idx(rng, C.DEST_P, nl).astype(np.int8)
        dest[move_nhs] = 0
        dest[move_asc] = 1
        dest[retire] = np.where(rng.random(int(retire.sum())) < 0.7, 4, 5)
        # end days: the primary (largest FTE, then earliest) substantive assignment ends last
        day = rng.integers(3, nd, nl)  # 3 .. nd-1
        lend = ms + day - 1
        idx = np.flatnonzero(isin(key, lk))
        sel = pd.DataFrame(
            {
                "i": idx,
                "key": key[idx],
                "sub": A["cat"][idx] != 2,
                "fte": A["fte"][idx],
                "start": A["start"][idx],
            }
        )
        sel = sel.sort_values(["key", "sub", "fte", "start", "i"], ascending=[True, False, False, True, True])
        sel["rank"] = sel.groupby("key").cumcount()
        li = np.searchsorted(lk, sel["key"].to_numpy())
        ii = sel["i"].to_numpy()
        rank = sel["rank"].to_numpy()
        A["end"][ii] = (lend[li] - np.where(sel["sub"].to_numpy(), rank, 1)).astype(np.int32)
        A["reason"][ii] = reason[li]
        A["dest"][ii] = dest[li]
        # what follows
        primary = sel[sel["rank"] == 0]
        pi = primary["i"].to_numpy()
        pli = np.searchsorted(lk, primary["key"].to_numpy())
        sg_l = A["sg"][pi]
        band_l = A["band"][pi]
        fte_l = A["fte"][pi]
        q = []
        if move_nhs.any():
            m = move_nhs[pli]
            off = rng.integers(1, self.norg, int(m.sum()))
            target = (lorg[pli][m] + off) % self.norg
            if self.pred is not None and t >= self.merge_t - 1:
                target = np.where(target == self.pred, self.succ, target)
            nb = np.minimum(band_l[m] + (rng.random(int(m.sum())) < 0.3), C.BAND_TOP_AFC)
            nb = np.where(band_l[m] >= C.B["Medical"], band_l[m], nb)
            q.append(
                self._q(
                    lpid[pli][m],
                    0,
                    target,
                    lend[pli][m] + rng.integers(1, 42, int(m.sum())),
                    sg=sg_l[m],
                    band=nb,
                    cat=np.zeros(int(m.sum())),
                    fte=fte_l[m],
                    kind=0,
                )
            )
        if move_asc.any():
            m = move_asc[pli]
            k = int(m.sum())
            est = rng.integers(0, self.nest, k)
            role = np.where(
                sg_l[m] == C.SG["Nursing and Midwifery Registered"],
                C.AR["Registered Nurse"],
                np.where(rng.random(k) < 0.7, C.AR["Care Worker"], C.AR["Senior Care Worker"]),
            )
            q.append(
                self._q(
                    lpid[pli][m],
                    1,
                    est,
                    lend[pli][m] + rng.integers(1, 42, k),
                    role=role,
                    ctype=np.where(rng.random(k) < 0.85, 0, 2),
                    kind=0,
                )
            )
        if rejoin.any():
            m = rejoin[pli]
            k = int(m.sum())
            q.append(
                self._q(
                    lpid[pli][m],
                    0,
                    lorg[pli][m],
                    lend[pli][m] + rng.integers(90, 420, k),
                    sg=sg_l[m],
                    band=band_l[m],
                    cat=np.zeros(k),
                    fte=fte_l[m],
                    kind=1,
                )
            )
        if flexi_back.any():
            m = flexi_back[pli]
            k = int(m.sum())
            q.append(
                self._q(
                    lpid[pli][m],
                    0,
                    lorg[pli][m],
                    lend[pli][m] + rng.integers(28, 100, k),
                    sg=sg_l[m],
                    band=band_l[m],
                    cat=np.where(rng.random(k) < 0.6, 0, 2),
                    fte=np.minimum(fte_l[m], 60),
                    kind=2,
                )
            )
        back, target, delay, category = self.routes.retirement_returns(retire & ~flexi_back, lorg, self.norg)
        if back[pli].any():  # retire and return beyond flexi retirement (simulator/routes.py)
            m = back[pli]
            q.append(
                self._q(
                    lpid[pli][m],
                    0,
                    target[pli][m],
                    lend[pli][m] + delay[pli][m],
                    sg=sg_l[m],
                    band=band_l[m],
                    cat=category[pli][m],
                    fte=np.minimum(fte_l[m], 60),
                    kind=2,
                )
            )
        for x in q:
            self.Q = concat(self.Q, x)
        if to_bank.any():
            m = to_bank[pli]
            # a new bank assignment the day after the substantive one ended (same month)
            self._bank_asgs(lpid[pli][m], lorg[pli][m], (lend[pli][m] + 1).astype(np.int32))

    def _q(self, pid, sector, org, start, sg=None, band=None, cat=None, fte=None, role=None, ctype=None, kind=0) -> Tab:
        k = len(pid)
        z = np.zeros(k)
        return {
            "pid": np.asarray(pid, np.int64),
            "sector": np.full(k, sector, np.int8),
            "org": np.asarray(org, np.int32),
            "start": np.asarray(start, np.int32),
            "sg": np.asarray(z if sg is None else sg, np.int8),
            "band": np.asarray(z if band is None else band, np.int8),
            "cat": np.asarray(z if cat is None else cat, np.int8),
            "fte": np.asarray(z if fte is None else fte, np.int16),
            "role": np.asarray(z if role is None else role, np.int8),
            "ctype": np.asarray(z if ctype is None else ctype, np.int8),
            "kind": np.full(k, kind, np.int8),
        }

    # ------------------------------------------------------------------ ASC leaving
    def _asc_leaving(self, t, ms, me, nd, ym) -> None:
        rng = self.rng
        P = C.PARAMS
        H = P["hazard_multipliers"]
        W = self.W
        elig = np.flatnonzero((W["leave"] == BIG) & (W["start"] < ms))
        if len(elig) == 0:
            return
        pid = W["pid"][elig]
        age = self.P.age_at(pid, ym)
        pc = self.P.cols
        service = ms - W["start"][elig]
        mult = np.ones(len(elig))
        mult *= np.where(service < 365, 1.8, 1.0)
        mult *= np.where(isin(pc["eth"][pid], [1, 2, 3, 4]), 1.1, 1.0)
        mult *= np.where(age < 25, H["age_under_25"], 1.0)
        mult *= np.where(age >= 60, 1.8, 1.0)
        mult *= np.where(age >= 67, H["age_67_plus"], 1.0)
        mult *= np.where(W["zh"][elig] == 0, H["asc_zero_hours"], 1.0)
        mult *= np.where(W["ctype"][elig] == 3, 1.5, 1.0)
        mult *= self.est_factor[W["org"][elig]]
        mult *= self.routes.leaving_factor(pid)
        h = self._hazard_norm(mult, P["asc_annual_turnover_target"])
        lv = rng.random(len(elig)) < h
        li = elig[lv]
        nl = len(li)
        if nl == 0:
            return
        lage = age[lv]
        ldate = (ms + rng.integers(0, nd, nl)).astype(np.int32)
        W["leave"][li] = ldate
        retire = rng.random(nl) < np.where(lage >= 60, 0.7, 0.0)
        reason = choice_idx(rng, C.ASC_REASON_P, nl).astype(np.int8)
        reason[retire] = C.ASC_REASONS.index("Retired")
        u = rng.random(nl)
        c1 = P["asc_move_in_ics_share"]
        c2 = c1 + P["asc_to_nhs_share"]
        c3 = c2 + P["rejoin_share"]
        working = ~retire
        move_asc = working & (u < c1)
        move_nhs = working & (u >= c1) & (u < c2) & (self.norg > 0)
        rejoin = working & (u >= c2) & (u < c3)
        reason[move_asc & (rng.random(nl) < 0.6)] = C.ASC_REASONS.index("Competition from other employers")
        reason[move_nhs & (rng.random(nl) < 0.6)] = C.ASC_REASONS.index("Career development")
        W["lreason"][li] = reason
        lpid = W["pid"][li]
        lorg = W["org"][li]
        role = W["role"][li]
        ctype = W["ctype"][li]
        if move_asc.any():
            k = int(move_asc.sum())
            target = (lorg[move_asc] + rng.integers(1, max(self.nest, 2), k)) % self.nest
            self.Q = concat(
                self.Q,
                self._q(
                    lpid[move_asc],
                    1,
                    target,
                    ldate[move_asc] + rng.integers(1, 42, k),
                    role=role[move_asc],
                    ctype=np.where(ctype[move_asc] == 3, 0, ctype[move_asc]),
                    kind=0,
                ),
            )
        if move_nhs.any():
            k = int(move_nhs.sum())
            rn = role[move_nhs] == C.AR["Registered Nurse"]
            sg = np.where(rn, C.SG["Nursing and Midwifery Registered"], C.SG["Additional Clinical Services"])
            band = np.where(rn, C.B["Band 5"], np.where(rng.random(k) < 0.7, C.B["Band 3"], C.B["Band 2"]))
            org = rng.integers(0, self.norg, k)
            if self.pred is not None and t >= self.merge_t - 1:
                org = np.where(org == self.pred, self.succ, org)
            self.Q = concat(
                self.Q,
                self._q(
                    lpid[move_nhs],
                    0,
                    org,
                    ldate[move_nhs] + rng.integers(1, 42, k),
                    sg=sg,
                    band=band,
                    cat=np.zeros(k),
                    fte=self._draw_fte(sg),
                    kind=0,
                ),
            )
        back, target, delay, on_bank = self.routes.asc_retirement_returns(retire, lorg, self.nest)
        if back.any():  # retire and return in social care (simulator/routes.py)
            own = np.where(ctype[back] == C.CONTRACTS.index("Agency"), 0, ctype[back])
            self.Q = concat(
                self.Q,
                self._q(
                    lpid[back],
                    1,
                    target[back],
                    ldate[back] + delay[back],
                    role=role[back],
                    ctype=np.where(on_bank[back], C.CONTRACTS.index("Pool/Bank"), own),
                    kind=2,
                ),
            )
        if rejoin.any():
            k = int(rejoin.sum())
            self.Q = concat(
                self.Q,
                self._q(
                    lpid[rejoin],
                    1,
                    lorg[rejoin],
                    ldate[rejoin] + rng.integers(90, 420, k),
                    role=role[rejoin],
                    ctype=ctype[rejoin],
                    kind=1,
                ),
            )

    # ------------------------------------------------------------------ arrivals from the queue
    def _arrivals(self, t, ms, me) -> None:
        Q = self.Q
        due = Q["start"] <= me
        if not due.any():
            return
        d = take(Q, np.flatnonzero(due))
        self.Q = take(Q, np.flatnonzero(~due))
        # a person can arrive only once per month and sector-organisation: keep the first
        key = d["pid"] * 1_000_000 + d["sector"].astype(np.int64) * 100_000 + d["org"]
        _, first = unique(key, return_index=True)
        d = take(d, np.sort(first))
        d["start"] = np.maximum(d["start"], ms).astype(np.int32)
        nhs = d["sector"] == 0
        if nhs.any():
            x = take(d, np.flatnonzero(nhs))
            # not if they already hold a substantive assignment there
            A = self.A
            held = isin(x["pid"] * 1024 + x["org"], A["pid"][A["cat"] != 2] * 1024 + A["org"][A["cat"] != 2])
            x = take(x, np.flatnonzero(~held))
            if self.pred is not None and t >= self.merge_t:
                x["org"] = np.where(x["org"] == self.pred, self.succ, x["org"]).astype(np.int32)
            kind = np.where(x["kind"] == 1, "rejoin", "move")
            for kd in ("move", "rejoin"):
                m = kind == kd
                if m.any():
                    self._new_asgs(
                        x["pid"][m],
                        x["org"][m],
                        x["sg"][m],
                        x["band"][m],
                        x["cat"][m],
                        x["fte"][m],
                        x["start"][m],
                        kind=kd,
                    )
        asc = d["sector"] == 1
        if asc.any():
            x = take(d, np.flatnonzero(asc))
            W = self.W
            held = isin(x["pid"] * 100_000 + x["org"], W["pid"] * 100_000 + W["org"])
            x = take(x, np.flatnonzero(~held))
            self._new_workers(x["pid"], x["org"], x["role"], x["start"], ctype=x["ctype"])

    # ------------------------------------------------------------------ band, role, bank, second jobs
    def _nhs_other_events(self, t, ms, me, nd) -> None:
        rng = self.rng
        P = C.PARAMS
        A = self.A
        n = len(A["pid"])
        open_before = (A["end"] == BIG) & (A["start"] < ms) & (A["lock"] < t)
        sub = A["cat"] != 2
        # fixed term -> permanent
        conv = open_before & (A["cat"] == 1) & (rng.random(n) < P["monthly_ftt_to_permanent"])
        A["cat"][conv] = 0
        # promotion in place
        up = open_before & sub & (A["band"] < C.BAND_TOP_AFC) & (rng.random(n) < P["monthly_band_change"])
        A["band"][up] += 1
        # persons with more than one substantive assignment in a trust: sometimes drop the later one
        key = A["pid"] * 1024 + A["org"]
        subkeys = key[sub & (A["end"] == BIG)]
        uk, cnt = unique(subkeys, return_counts=True)
        multi = uk[cnt > 1]
        cand = np.flatnonzero(open_before & sub & isin(key, multi))
        if len(cand):
            df = pd.DataFrame({"i": cand, "key": key[cand], "start": A["start"][cand]}).sort_values(
                ["key", "start", "i"]
            )
            later = df.groupby("key").tail(1)
            later = later[rng.random(len(later)) < 0.015]["i"].to_numpy()
            A["end"][later] = (ms + rng.integers(0, nd - 1, len(later))).astype(np.int32)
            A["reason"][later] = np.where(
                rng.random(len(later)) < 0.5,
                C.R["Voluntary Resignation - Work Life Balance"],
                C.R["Voluntary Resignation - Other/Not Known"],
            )
            A["dest"][later] = 5
        # bank assignments end
        bank = open_before & (A["cat"] == 2)
        has_sub = isin(key, subkeys)
        p = np.where(has_sub, 0.015, 0.025)
        bend = np.flatnonzero(bank & (rng.random(n) < p))
        A["end"][bend] = (ms + rng.integers(0, nd - 1, len(bend))).astype(np.int32)
        A["reason"][bend] = C.R["Voluntary Resignation - Other/Not Known"]
        A["dest"][bend] = 5
        # role change: HCA or student becomes a registered nurse (old assignment ends, new one starts)
        rc = np.flatnonzero(
            open_before
            & sub
            & isin(A["sg"], [C.SG["Additional Clinical Services"], C.SG["Students"]])
            & (rng.random(n) < P["monthly_role_change"] * 4)
        )
        rc = rc[~isin(key[rc], multi)]
        if len(rc):
            day = rng.integers(1, nd - 1, len(rc))  # old ends day, new starts day+1 <= nd-1
            A["end"][rc] = (ms + day - 1).astype(np.int32)
            A["reason"][rc] = C.R["Employee Transfer"]
            A["dest"][rc] = 0
            k = len(rc)
            sg = np.full(k, C.SG["Nursing and Midwifery Registered"], np.int8)
            self._new_asgs(
                A["pid"][rc],
                A["org"][rc],
                sg,
                np.full(k, C.B["Band 5"], np.int8),
                np.zeros(k, np.int8),
                A["fte"][rc],
                (ms + day).astype(np.int32),
                kind="role",
            )
            A = self.A
            n = len(A["pid"])
            key = A["pid"] * 1024 + A["org"]
        # new second substantive assignments and bank assignments alongside
        open_before = (A["end"] == BIG) & (A["start"] < ms)
        sub = A["cat"] != 2
        single = np.flatnonzero(open_before & sub & ~isin(key, multi))
        pick = single[rng.random(len(single)) < 0.0012]
        pick = pick[unique(key[pick], return_index=True)[1]]
        if len(pick):
            start = (ms + rng.integers(0, nd, len(pick))).astype(np.int32)
            self._second_asgs(A["pid"][pick], A["org"][pick], A["start"][pick], start, exact=True)
            A = self.A
            key = A["pid"] * 1024 + A["org"]
        bankkeys = key[(A["cat"] == 2) & (A["end"] == BIG)]
        cand = np.flatnonzero((A["end"] == BIG) & (A["cat"] != 2) & (A["start"] < ms) & ~isin(key, bankkeys))
        cand = cand[unique(key[cand], return_index=True)[1]]
        pick = cand[rng.random(len(cand)) < 0.005]
        if len(pick):
            self._bank_asgs(A["pid"][pick], A["org"][pick], (ms + rng.integers(0, nd, len(pick))).astype(np.int32))

    # ------------------------------------------------------------------ hiring
    def _target(self, t: int) -> np.ndarray:
        g = (1 + C.PARAMS["nhs_growth_per_year"]) ** (t / 12)
        tgt = self.size0 * g
        if self.pred is not None and t >= self.merge_t:
            tgt = tgt.copy()
            tgt[self.succ] += tgt[self.pred]
            tgt[self.pred] = 0
        return tgt

    def _nhs_hires(self, t, ms, me, nd) -> None:
        rng = self.rng
        A = self.A
        live = A["end"] == BIG
        sub = A["cat"] != 2
        sk = unique(A["pid"][live & sub] * 1024 + A["org"][live & sub])
        cur = np.bincount((sk % 1024).astype(np.int64), minlength=self.norg)
        tgt = self._target(t)
        n_h = rng.poisson(np.maximum(tgt - cur, 0))
        org = np.repeat(np.arange(self.norg), n_h)
        self._hire_nhs(org, (ms + rng.integers(0, nd, len(org))).astype(np.int32), t)
        # bank-only pool
        A = self.A
        live = A["end"] == BIG
        bk = unique(A["pid"][live & (A["cat"] == 2)] * 1024 + A["org"][live & (A["cat"] == 2)])
        sk = unique(A["pid"][live & (A["cat"] != 2)] * 1024 + A["org"][live & (A["cat"] != 2)])
        bonly = bk[~isin(bk, sk)]
        curb = np.bincount((bonly % 1024).astype(np.int64), minlength=self.norg)
        n_b = rng.poisson(np.maximum(tgt * C.PARAMS["nhs_bank_only_share"] - curb, 0))
        borg = np.repeat(np.arange(self.norg), n_b)
        if len(borg):
            start = (ms + rng.integers(0, nd, len(borg))).astype(np.int32)
            pid = self.P.add(rng, len(borg), "NHS", ms, initial=False)
            self.P.cols["nhs_start"][pid] = start
            self._bank_asgs(pid, borg, start)

    def _asc_hires(self, t, ms, me, nd) -> None:
        rng = self.rng
        W = self.W
        live = W["leave"] == BIG
        cur = np.bincount(W["org"][live], minlength=self.nest)
        tgt = self.est_size0 * (1 + C.PARAMS["asc_growth_per_year"]) ** (t / 12)
        n_h = rng.poisson(np.maximum(tgt - cur, 0))
        est = np.repeat(np.arange(self.nest), n_h)
        if len(est) == 0:
            return
        start = (ms + rng.integers(0, nd, len(est))).astype(np.int32)
        pid = self.P.add(rng, len(est), "ASC", ms, initial=False)
        role = self._draw_role(est)
        # the registered manager post is refilled when empty
        has_rm = np.zeros(self.nest, bool)
        has_rm[W["org"][live & (W["role"] == C.AR["Registered Manager"])]] = True
        first = np.r_[True, est[1:] != est[:-1]]
        role[first & ~has_rm[est]] = C.AR["Registered Manager"]
        self._new_workers(pid, est, role, start)

    # ------------------------------------------------------------------ aggregate figures
    def _pwr(self, snap: Tab, period: str, nd: int) -> pd.DataFrame:
        rng = self.rng
        sub = snap["cat"] != 2
        df = pd.DataFrame(
            {
                "org": snap["org"][sub].astype(np.int64),
                "sg": snap["sg"][sub].astype(np.int64),
                "fte": snap["fte"][sub].astype(np.int64),
            }
        )
        g = df.groupby(["org", "sg"], sort=True)["fte"].sum().reset_index()
        s = season(int(period[5:]))
        k = len(g)
        sgi = g["sg"].to_numpy()
        subst = g["fte"].to_numpy()  # hundredths of FTE
        noise = lambda sd: rng.lognormal(0, sd, k)  # noqa: E731
        bank = np.round(subst * np.array(C.SG_BANK)[sgi] * (0.5 + 0.5 * s) * noise(0.2)).astype(np.int64)
        agency = np.round(subst * np.array(C.SG_AGENCY)[sgi] * s * noise(0.3)).astype(np.int64)
        vac = np.round(subst * np.array(C.SG_VACANCY)[sgi] * s * noise(0.25)).astype(np.int64)
        avail = subst * nd
        rate = np.clip(np.array(C.SG_SICKNESS)[sgi] * (0.6 + 0.4 * s) * noise(0.12), 0, 0.5)
        lost = np.round(avail * rate).astype(np.int64)
        g = g.rename(columns={"fte": "substantive"})
        g["bank"], g["agency"], g["vacancy"] = bank, agency, vac
        g["establishment"] = subst + vac
        g["lost"], g["avail"] = lost, avail
        return g

    def _recruitment(self, t, ms, me) -> pd.DataFrame:
        """Vacancies closed or filled in the month: Started ones match new substantive assignments."""
        rng = self.rng
        P = C.PARAMS
        cols = ["org", "ref", "sg", "band", "approved", "advert", "offer", "checks", "start", "outcome"]
        if not self.new_sub:
            return pd.DataFrame({c: [] for c in cols})
        ns = {k: np.concatenate([x[k] for x in self.new_sub]) for k in self.new_sub[0]}
        keep = rng.random(len(ns["org"])) < np.where(ns["internal"], 0.5, P["nhs_vacancy_per_new_assignment"])
        ns = take(ns, np.flatnonzero(keep))
        k = len(ns["org"])
        tth = np.round(rng.lognormal(np.log(P["time_to_hire_median_days"]), P["time_to_hire_lognormal_sigma"], k))
        tail = rng.random(k) < 0.06
        tth = np.where(tail, tth * rng.uniform(1.8, 3.5, k), tth)
        tth = np.maximum(tth, 21).astype(np.int64)
        split = rng.dirichlet([1.5, 4, 3, 2.5], k)
        cum = np.round(np.cumsum(split, axis=1) * tth[:, None]).astype(np.int64)
        start = ns["start"]
        approved = start - tth
        advert = approved + cum[:, 0]
        offer = approved + cum[:, 1]
        checks = approved + cum[:, 2]
        advert[rng.random(k) < 0.03] = -1
        checks[rng.random(k) < 0.05] = -1
        started = pd.DataFrame(
            {
                "org": ns["org"],
                "sg": ns["sg"],
                "band": ns["band"],
                "approved": approved,
                "advert": advert,
                "offer": offer,
                "checks": checks,
                "start": start,
                "outcome": 0,
            }
        )
        # some fill a vacancy re-advertised earlier (its reference and approval come back)
        started["ref"] = None
        pool = self.readvert
        if len(pool):
            take_n = min(len(pool), int(0.25 * k))
            if take_n:
                cand = np.sort(rng.choice(k, take_n, replace=False))
                used = []
                for o in unique(started["org"].to_numpy()[cand]):  # per organisation
                    ci = cand[started["org"].to_numpy()[cand] == o]
                    po = pool.index[pool["org"] == o].to_numpy()[: len(ci)]
                    ci = ci[: len(po)]
                    started.loc[ci, "ref"] = pool.loc[po, "ref"].to_numpy()
                    started.loc[ci, "approved"] = np.minimum(
                        pool.loc[po, "approved"].to_numpy(), started.loc[ci, "approved"].to_numpy()
                    )
                    used.append(po)
                if used:
                    self.readvert = pool.drop(index=np.concatenate(used)).reset_index(drop=True)
        # withdrawn and re-advertised vacancies closed this month
        n_w = rng.binomial(k, 0.1)
        n_r = rng.binomial(k, 0.12)
        m = n_w + n_r
        if m:
            org = rng.choice(started["org"].to_numpy(), m)
            sg = rng.choice(started["sg"].to_numpy(), m)
            closed = ms + rng.integers(0, me - ms + 1, m)
            appr = closed - rng.integers(20, 120, m)
            adv = appr + rng.integers(3, 15, m)
            off = np.where(rng.random(m) < 0.3, adv + rng.integers(10, 30, m), -1)
            off = np.where(off > closed, -1, off)
            other = pd.DataFrame(
                {
                    "org": org,
                    "sg": sg,
                    "band": self._draw_band(sg.astype(np.int8)),
                    "approved": appr,
                    "advert": np.minimum(adv, closed),
                    "offer": off,
                    "checks": -1,
                    "start": -1,
                    "outcome": np.r_[np.ones(n_w), np.full(n_r, 2)].astype(int),
                }
            )
            other["ref"] = None
            started = pd.concat([started, other], ignore_index=True)
        # new references
        new = started["ref"].isna().to_numpy()
        if new.any():
            o = started["org"].to_numpy()[new].astype(np.int64)
            rank = pd.Series(o).groupby(o).cumcount().to_numpy()
            seq = self.vac_counter[o] + 1 + rank
            np.add.at(self.vac_counter, o, 1)
            yr = self.months_all[t][:4]
            refs = np.char.add(
                np.char.add(np.array(self.codes, dtype=object)[o].astype(str), f"-{yr}-V"),
                np.char.zfill(seq.astype(str), 6),
            )
            started.loc[new, "ref"] = refs.astype(object)
        ra = started[started["outcome"] == 2]
        self.readvert = pd.concat([self.readvert, ra[["org", "ref", "approved"]]], ignore_index=True)
        return started[cols]

    def _asc_vacancies(self, ext: Tab, period: str, me: int) -> pd.DataFrame:
        rng = self.rng
        live = ext["leave"] > me
        df = pd.DataFrame({"org": ext["org"][live].astype(np.int64), "role": ext["role"][live].astype(np.int64)})
        g = df.groupby(["org", "role"], sort=True).size().reset_index(name="hc")
        vr = np.full(len(C.ASC_ROLES), 0.04)
        vr[C.AR["Care Worker"]] = 0.1
        vr[C.AR["Senior Care Worker"]] = 0.06
        vr[C.AR["Registered Nurse"]] = 0.12
        vr[C.AR["Support and Outreach"]] = 0.08
        lam = g["hc"].to_numpy() * vr[g["role"].to_numpy()] * season(int(period[5:]))
        g["vacancies"] = rng.poisson(lam)
        return g[["org", "role", "vacancies"]]
