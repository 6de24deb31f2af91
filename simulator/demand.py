"""Where the demand is (metrics.md): the places of the partner register, and places under different pressure.

Every partner gets a register `place` and `local_authority_code`: an ASC establishment the place of its own
`local_authority_code` (so the two agree), an NHS trust the place of its main site, a charity a place drawn
from this module's own generator, the ICB the city. Randomness comes from `default_rng([seed, 14])` so no
other output is reshuffled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import config as C
from .truth import matching_key
from .truth_demand import truth_rows
from .util import month_end_day

RNG_KEY = 14
# The three places of the ICS, one per local authority of C.LA_CODES (Leicester, Leicestershire, Rutland).
PLACE_OF_LA = dict(zip(C.LA_CODES, ("Leicester City", "Leicestershire", "Rutland"), strict=True))
LA_OF_PLACE = {place: la for la, place in PLACE_OF_LA.items()}
# Trusts' main sites; a trust not listed is placed by its position in the register.
TRUST_PLACES = {"RWE": "Leicester City", "RT5": "Leicestershire", "R1J": "Leicestershire", "RX9": "Leicestershire"}
ICB_PLACE = "Leicester City"


def register_places(register: pd.DataFrame, est: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The register with `place` and `local_authority_code` filled in for every partner (the same for
    every version of the register written from one seed)."""
    rng = np.random.default_rng([seed, RNG_KEY])
    out = register.copy()
    places = list(PLACE_OF_LA.values())
    est_la = dict(zip(est["establishment_id"], est["local_authority_code"], strict=True))
    vcse_codes = sorted(out.loc[out["sector"].eq("VCSE"), "org_code"])
    drawn = np.array(places, dtype=object)[rng.choice(3, len(vcse_codes), p=C.LA_P)]
    vcse_place = dict(zip(vcse_codes, drawn, strict=True))
    nhs_codes = [c for c in out.loc[out["sector"].eq("NHS") & out["org_type"].ne("ICB"), "org_code"]]

    def place_of(row) -> str:
        if row.org_type == "ICB":
            return ICB_PLACE
        if row.sector == "Adult social care":
            return PLACE_OF_LA[est_la[row.org_code]]
        if row.sector == "VCSE":
            return vcse_place[row.org_code]
        return TRUST_PLACES.get(row.org_code, places[nhs_codes.index(row.org_code) % len(places)])

    out["place"] = [place_of(r) for r in out.itertuples()]
    out["local_authority_code"] = out["place"].map(LA_OF_PLACE)
    return out


# --------------------------------------------------------------------------------------------------
# Place pressures: a job role short in one place and not in another

CROSSWALK = Path(__file__).resolve().parents[1] / "seeds" / "reference" / "profession_crosswalk.csv"


@dataclass(frozen=True)
class Pressure:
    """Extra vacancies of `job_role` in the organisations of `place`: `rate` x staff in post at the last
    month, ramping up from half of it at the first (so the 12-month change is positive)."""

    sector: str
    place: str
    job_role: str
    rate: float


PRESSURES = (
    Pressure("NHS", "Leicester City", "Scientific, therapeutic & technical staff", 0.30),
    Pressure("Adult social care", "Leicester City", "Senior Care Worker", 0.45),
)


def job_roles() -> dict[tuple[str, str], str]:
    """(sector, crosswalk key) -> job_role, from the crosswalk seed the warehouse reads."""
    seed = pd.read_csv(CROSSWALK, dtype=str)
    return {(r.sector, matching_key(r.source_value)): r.job_role for r in seed.itertuples()}


class Demand:
    """Puts the place pressures into each simulated month (before it is written) and keeps what the mart
    should show: vacancies and staff in post per (period, place, sector, job_role), from the events."""

    def __init__(self, seed: int, register: pd.DataFrame, est: pd.DataFrame, codes: list[str], n_months: int):
        self.rng = np.random.default_rng([seed, RNG_KEY, 1])
        self.n_months = n_months
        place = dict(zip(register["org_code"], register["place"], strict=True))
        successor = dict(zip(register["org_code"], register["successor_code"], strict=True))
        self.reporting = np.array([successor.get(c) or c for c in codes], dtype=object)  # merger successor
        self.nhs_place = np.array([place[c] for c in self.reporting], dtype=object)
        self.codes = codes
        self.est_place = np.array([PLACE_OF_LA[la] for la in est["local_authority_code"]], dtype=object)
        roles = job_roles()
        self.sg_role = np.array([roles[("NHS", matching_key(g))] for g in C.STAFF_GROUPS], dtype=object)
        self.asc_role = np.array([roles[("Adult social care", matching_key(r))] for r in C.ASC_ROLES], dtype=object)
        self.rows: list[pd.DataFrame] = []

    def _ramp(self, t: int) -> float:
        return 0.5 + 0.5 * t / max(self.n_months - 1, 1)

    def _asc_staff(self, mo) -> pd.DataFrame:
        """ASC staff in post at the month end: workers not left, agency excluded (int_vacancies_by_job_role)."""
        X = mo.asc_ext
        live = (X["leave"] > month_end_day(mo.period)) & (X["ctype"] != C.CONTRACTS.index("Agency"))
        frame = pd.DataFrame({"org": X["org"][live].astype(np.int64), "role": X["role"][live].astype(np.int64)})
        return frame.groupby(["org", "role"], sort=True).size().reset_index(name="hc")

    def press(self, mo) -> None:
        """Add the pressures' extra vacancies to the month's nhs_pwr and ASC vacancy figures (in place)."""
        ramp = self._ramp(mo.t)
        for p in PRESSURES:
            if p.sector == "NHS":
                pwr = mo.pwr
                hit = (self.nhs_place[pwr["org"].to_numpy()] == p.place) & (
                    self.sg_role[pwr["sg"].to_numpy()] == p.job_role
                )
                extra = np.round(
                    pwr["substantive"].to_numpy()[hit] * p.rate * ramp * self.rng.lognormal(0, 0.1, hit.sum())
                ).astype(np.int64)
                pwr.loc[hit, "vacancy"] += extra
                pwr.loc[hit, "establishment"] += extra
            else:
                vac = mo.asc_vac
                staff = self._asc_staff(mo).set_index(["org", "role"])["hc"]
                hit = (self.est_place[vac["org"].to_numpy()] == p.place) & (
                    self.asc_role[vac["role"].to_numpy()] == p.job_role
                )
                hc = staff.reindex(pd.MultiIndex.from_frame(vac.loc[hit, ["org", "role"]]), fill_value=0).to_numpy()
                vac.loc[hit, "vacancies"] += self.rng.poisson(hc * p.rate * ramp)

    def observe(self, mo, written: list[tuple[str, str]]) -> None:
        """The month's figures as the warehouse should sum them, per organisation and job role."""
        sent = {code for source, code in written if source == "nhs_pwr"}
        pwr = mo.pwr[[self.codes[o] in sent for o in mo.pwr["org"]]]
        nhs = pd.DataFrame(
            {
                "org": "NHS:" + pd.Series(self.reporting[pwr["org"].to_numpy()]),
                "place": self.nhs_place[pwr["org"].to_numpy()],
                "job_role": self.sg_role[pwr["sg"].to_numpy()],
                "vacancies": pwr["vacancy"].to_numpy(),  # hundredths of FTE
                "staff_in_post": pwr["substantive"].to_numpy(),
            }
        ).assign(sector="NHS")
        vac = mo.asc_vac.merge(self._asc_staff(mo), on=["org", "role"], how="outer")
        asc = pd.DataFrame(
            {
                "org": "ASC:" + vac["org"].astype(str),
                "place": self.est_place[vac["org"].to_numpy()],
                "job_role": self.asc_role[vac["role"].to_numpy()],
                "vacancies": vac["vacancies"].to_numpy(),
                "staff_in_post": vac["hc"].fillna(0).to_numpy(),
            }
        ).assign(sector="Adult social care")
        self.rows.append(pd.concat([nhs, asc]).assign(period=mo.period))

    def truth(self, periods: list[str]) -> list[dict]:
        """mart_vacancy_demand as it should be at `periods` (NHS and ASC; the VCSE is not simulated here)."""
        return truth_rows(pd.concat(self.rows), periods)


def misplace_establishment(out: Path, period: str) -> dict:
    """Messy case: the first establishment of `period`'s extract gives another local_authority_code than its
    register place's (a WARN naming file, row and column); its figures stay under the register place."""
    path = out / "asc_wds_establishments" / period / "extract.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    target = frame["establishment_id"].iloc[0]
    rows = frame.index[frame["establishment_id"] == target]
    own = frame.loc[rows[0], "local_authority_code"]
    other = next(la for la in C.LA_CODES if la != own)
    frame.loc[rows, "local_authority_code"] = other
    frame.to_csv(path, index=False, lineterminator="\n")
    return {
        "case": "establishment outside its register place",
        "source": "asc_wds_establishments",
        "path": str(path.relative_to(out)),
        "expected_outcome": "loaded with WARN naming the first row and local_authority_code; figures stay "
        "under the register place",
        "detail": f"establishment {target} gives local_authority_code {other} on data rows "
        f"{int(rows[0]) + 1}-{int(rows[-1]) + 1}; the register places it in {PLACE_OF_LA[own]} ({own}).",
        "establishment_id": target,
        "first_row": int(rows[0]) + 2,  # the file's line, header being line 1
    }
