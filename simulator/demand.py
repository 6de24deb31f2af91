"""Where the demand is (metrics.md): the places of the partner register.

Every partner gets a register `place` and `local_authority_code`: an ASC establishment the place of its own
`local_authority_code` (so the two agree), an NHS trust the place of its main site, a charity a place drawn
from this module's own generator, the ICB the city. Randomness comes from `default_rng([seed, 14])` so no
other output is reshuffled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config as C

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
