"""Entry routes (issue #23): who joins as an apprentice or an international recruit, how long they stay, and
which partners send the optional `apprentice` / `international_recruit` columns (returns.md).

A person hired during the simulation is drawn once, at their first snapshot, from this module's own generator
(`default_rng([seed, 12])`, so no other output is reshuffled): an apprentice with APPRENTICE_SHARE, else an
international recruit with INTERNATIONAL_SHARE. Their leaving hazard is multiplied by LEAVING_FACTOR (the
engine asks `leaving_factor`), so the two routes are retained differently. Retirements that return are the
engine's flexi-retirement returns (same trust, substantive or bank). Partners whose code's crc32 is even send
the columns (`sends`); the others leave them out (NHS) or leave them empty (the one ASC extract).
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

APPRENTICE_SHARE = 0.10
INTERNATIONAL_SHARE = 0.12
# 0 = none, 1 = apprentice, 2 = international recruit: apprentices stay longer, international recruits
# leave their first employer more often (many move on inside the system).
LEAVING_FACTOR = np.array([1.0, 0.5, 1.6])
ROUTE_COLUMNS = ("apprentice", "international_recruit")
# ESR and ASC-WDS reasons that seeds/reference/leaving_reason_crosswalk.csv maps to Retirement (ill health is
# Health)
RETIREMENT_REASONS = (
    "Retired",
    "Retirement Age",
    "Flexi Retirement",
    "Voluntary Early Retirement - no Reduction",
    "Voluntary Early Retirement - with Reduction",
)
_CHILD = 12


def sends(code: str) -> bool:
    """Whether the partner with this org_code / establishment_id sends the optional route columns."""
    return zlib.crc32(code.encode()) % 2 == 0


class RouteFlags:
    """Each simulated person's entry route (by pid), drawn at their first snapshot after the start."""

    def __init__(self, seed: int, first_day: int):
        self.rng = np.random.default_rng([seed, _CHILD])
        self.first_day = first_day  # hires from this day on are drawn; people already employed are route 0
        self.route = np.zeros(0, dtype=np.int8)
        self.drawn = np.zeros(0, dtype=bool)
        self._retired: list[pd.DataFrame] = []  # (t, pk) of retirement leavers (NHS, ASC), for the truth

    def note_retirements(self, t: int, pid: np.ndarray, reasons: np.ndarray, counted: np.ndarray) -> None:
        hit = np.isin(reasons, RETIREMENT_REASONS) & counted
        self._retired.append(pd.DataFrame({"t": t, "pk": np.asarray(pid)[hit]}))

    def retirements(self) -> pd.DataFrame:
        return pd.concat(self._retired, ignore_index=True).drop_duplicates() if self._retired else pd.DataFrame()

    def _grow(self, size: int) -> None:
        if size > len(self.route):
            extra = size - len(self.route)
            self.route = np.concatenate([self.route, np.zeros(extra, dtype=np.int8)])
            self.drawn = np.concatenate([self.drawn, np.zeros(extra, dtype=bool)])

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

    def leaving_factor(self, pid: np.ndarray) -> np.ndarray:
        pid = np.asarray(pid, dtype=np.int64)
        self._grow(int(pid.max()) + 1 if len(pid) else 0)
        return LEAVING_FACTOR[self.route[pid]]


def route_values(route: np.ndarray, sent: np.ndarray) -> dict[str, np.ndarray]:
    """The two columns' cells: Yes/No where the partner sends them, empty where it does not."""
    apprentice = np.where(route == 1, "Yes", "No").astype(object)
    international = np.where(route == 2, "Yes", "No").astype(object)
    return {"apprentice": np.where(sent, apprentice, ""), "international_recruit": np.where(sent, international, "")}


def with_route_columns(frame: pd.DataFrame, flags: RouteFlags, pid: np.ndarray, start: np.ndarray, code: str):
    """The frame (rows in the order of pid and start) with the two columns filled for the partners that send
    them; the writer keeps them only for those partners (NHS) or writes them empty (ASC)."""
    route = flags.observe(pid, start)
    sent = frame[code].map(sends).to_numpy(bool)
    return frame.assign(**route_values(route, sent))
