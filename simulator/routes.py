"""Entry routes (issue #23): who joins as an apprentice or an international recruit, how long they stay, and
which partners send the optional `apprentice` / `international_recruit` columns (returns.md).

A person hired during the simulation is drawn once, at their first snapshot, from this module's own generator
(`default_rng([seed, 12])`, so no other output is reshuffled): an apprentice with APPRENTICE_SHARE, else an
international recruit with INTERNATIONAL_SHARE. Their leaving hazard is multiplied by LEAVING_FACTOR (the
engine asks `leaving_factor`), so the two routes are retained differently. Retirements that return are the
engine's flexi-retirement returns (same trust, substantive or bank), `retirement_returns` (same or another
trust, substantive or bank) and `asc_retirement_returns` (same or another establishment, own or Pool/Bank
contract). Partners whose code's crc32 is even send
the columns (`sends`); the others leave them out (NHS) or leave them empty (the one ASC extract).
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

APPRENTICE_SHARE = 0.15  # about one NHS joiner in seven starts an apprenticeship; the small demo then publishes cohorts
INTERNATIONAL_SHARE = 0.12
# 0 = none, 1 = apprentice, 2 = international recruit: apprentices stay longer, international recruits
# leave their first employer more often (many move on inside the system).
LEAVING_FACTOR = np.array([1.0, 0.5, 1.6])
ROUTE_COLUMNS = ("apprentice", "international_recruit")
_CHILD = 12
# Retire and return beyond the engine's flexi-retirement returns (drawn from `default_rng([seed, 23])`): of
# the other NHS retirements, RETURN_SHARE come back 35 to 149 days after leaving, RETURN_ELSEWHERE of them to
# another trust, RETURN_ON_BANK of them on bank only.
RETURN_SHARE = 0.6
RETURN_ELSEWHERE = 0.4
RETURN_ON_BANK = 0.25
_RETURNS_CHILD = 23
# ASC retirees (drawn from `default_rng([seed, 23, 2])`) come back the same way: RETURN_SHARE of them, to the
# same or another establishment, RETURN_ON_BANK of them on a Pool/Bank contract.
# Anchor employment (issue #23 item 3): each person's residence IMD decile (1 most deprived .. 10), drawn once
# from `default_rng([seed, 23, 1])` with more people in the deprived deciles, as in Leicester; partners whose
# code's crc32 after "imd" is even send it (`sends_imd`), a set other than the route columns' senders.
IMD_COLUMN = "residence_imd_decile"
IMD_WEIGHTS = np.array([0.15, 0.13, 0.11, 0.1, 0.1, 0.09, 0.09, 0.08, 0.08, 0.07])


def sends(code: str) -> bool:
    """Whether the partner with this org_code / establishment_id sends the optional route columns."""
    return zlib.crc32(code.encode()) % 2 == 0


def sends_imd(code: str) -> bool:
    """Whether the partner with this org_code / establishment_id sends residence_imd_decile."""
    return zlib.crc32(("imd" + code).encode()) % 2 == 0


def optional_columns(code: str) -> list[str]:
    """The optional columns of returns.md that this NHS trust's staff files carry."""
    return [*(ROUTE_COLUMNS if sends(code) else ()), *([IMD_COLUMN] if sends_imd(code) else [])]


class RouteFlags:
    """Each simulated person's entry route (by pid), drawn at their first snapshot after the start."""

    def __init__(self, seed: int, first_day: int):
        self.rng = np.random.default_rng([seed, _CHILD])
        self.first_day = first_day  # hires from this day on are drawn; people already employed are route 0
        self.route = np.zeros(0, dtype=np.int8)
        self.drawn = np.zeros(0, dtype=bool)
        self.returns_rng = np.random.default_rng([seed, _RETURNS_CHILD])
        self.imd_rng = np.random.default_rng([seed, _RETURNS_CHILD, 1])
        self.asc_returns_rng = np.random.default_rng([seed, _RETURNS_CHILD, 2])
        self.decile = np.zeros(0, dtype=np.int8)  # 0: not drawn yet

    def retirement_returns(self, retire: np.ndarray, org: np.ndarray, norg: int):
        """For each leaving spell (retire: a retirement the engine does not return): whether the person comes
        back, to which trust (org index), how many days after leaving and in which assignment category."""
        back, target, delay, on_bank = _returns(self.returns_rng, retire, org, norg, RETURN_SHARE)
        return back, target, delay, np.where(on_bank, 2, 0)

    def asc_retirement_returns(self, retire: np.ndarray, org: np.ndarray, nest: int):
        """The same for ASC leavers (retire: retired): back, establishment index, days after leaving, and
        whether on a Pool/Bank contract."""
        return _returns(self.asc_returns_rng, retire, org, nest, RETURN_SHARE)

    def _grow(self, size: int) -> None:
        if size > len(self.route):
            extra = size - len(self.route)
            self.route = np.concatenate([self.route, np.zeros(extra, dtype=np.int8)])
            self.drawn = np.concatenate([self.drawn, np.zeros(extra, dtype=bool)])
            self.decile = np.concatenate([self.decile, np.zeros(extra, dtype=np.int8)])

    def observe(self, pid: np.ndarray, start: np.ndarray) -> np.ndarray:
        """The route of each row's person, drawing it for people not seen before (hired since first_day)."""
        pid = np.asarray(pid, dtype=np.int64)
        self._grow(int(pid.max()) + 1 if len(pid) else 0)
        new = np.unique(pid[~self.drawn[pid]])
        if len(new):
            hired = pd.Series(np.asarray(start) >= self.first_day).groupby(pid).any().reindex(new).to_numpy()
            u = self.rng.random(len(new))
            route = np.where(u < APPRENTICE_SHARE, 1, np.where(u < APPRENTICE_SHARE + INTERNATIONAL_SHARE, 2, 0))
            self.route[new] = np.where(hired, route, 0).astype(np.int8)
            self.drawn[new] = True
        return self.route[pid]

    def deciles(self, pid: np.ndarray) -> np.ndarray:
        """Each row's person's residence IMD decile, drawn for people not seen before."""
        pid = np.asarray(pid, dtype=np.int64)
        self._grow(int(pid.max()) + 1 if len(pid) else 0)
        new = np.unique(pid[self.decile[pid] == 0])
        self.decile[new] = self.imd_rng.choice(10, size=len(new), p=IMD_WEIGHTS) + 1
        return self.decile[pid]

    def leaving_factor(self, pid: np.ndarray) -> np.ndarray:
        pid = np.asarray(pid, dtype=np.int64)
        self._grow(int(pid.max()) + 1 if len(pid) else 0)
        return LEAVING_FACTOR[self.route[pid]]


def _returns(rng: np.random.Generator, retire: np.ndarray, org: np.ndarray, norg: int, share: float):
    u = rng.random((len(retire), 4))
    back = retire & (u[:, 0] < share)
    elsewhere = (u[:, 1] < RETURN_ELSEWHERE) & (norg > 1)
    target = np.where(elsewhere, (org + 1 + (u[:, 2] * max(norg - 1, 1)).astype(np.int64)) % norg, org)
    delay = rng.integers(35, 150, len(retire))
    return back, target, delay, u[:, 3] < RETURN_ON_BANK


def route_values(route: np.ndarray, sent: np.ndarray) -> dict[str, np.ndarray]:
    """The two columns' cells: Yes/No where the partner sends them, empty where it does not."""
    apprentice = np.where(route == 1, "Yes", "No").astype(object)
    international = np.where(route == 2, "Yes", "No").astype(object)
    return {"apprentice": np.where(sent, apprentice, ""), "international_recruit": np.where(sent, international, "")}


def with_optional_columns(frame: pd.DataFrame, flags: RouteFlags, pid: np.ndarray, start: np.ndarray, code: str):
    """The frame (rows in the order of pid and start) with the route columns and the residence IMD decile
    filled for the partners that send them; the writer keeps them only for those partners (NHS,
    `optional_columns`) or writes them empty (ASC)."""
    route = flags.observe(pid, start)
    sent = frame[code].map(sends).to_numpy(bool)
    deciles = flags.deciles(pid).astype(str).astype(object)
    imd = np.where(frame[code].map(sends_imd).to_numpy(bool), deciles, "")
    return frame.assign(**route_values(route, sent), **{IMD_COLUMN: imd})
