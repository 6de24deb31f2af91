"""The demo's population file: ONS Census 2021 TS021 (ethnic group) for the ICS's local authorities.

Written in exactly ONS's bulk layout (returns.md, "Population"): `date`, `geography`, `geography code`,
the total, each top-level group followed by its detailed categories, which sum to it; the groups sum to the
total. The figures are SIMULATED (near the real 2021 mix of Leicester, Leicestershire and Rutland, drawn
from this module's own generator `default_rng([seed, 13])`), and the file says so without leaving the
layout: every `geography` name ends in " (simulated)". The real ONS file drops in unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import config as C

RNG_KEY = 13
YEAR = "2021"
SIMULATED = " (simulated)"
# ONS's top-level groups in its column order, each with its detailed categories.
GROUPS = {
    "Asian, Asian British or Asian Welsh": ("Bangladeshi", "Chinese", "Indian", "Pakistani", "Other Asian"),
    "Black, Black British, Black Welsh, Caribbean or African": ("African", "Caribbean", "Other Black"),
    "Mixed or Multiple ethnic groups": (
        "White and Asian",
        "White and Black African",
        "White and Black Caribbean",
        "Other Mixed or Multiple ethnic groups",
    ),
    "White": (
        "English, Welsh, Scottish, Northern Irish or British",
        "Irish",
        "Gypsy or Irish Traveller",
        "Roma",
        "Other White",
    ),
    "Other ethnic group": ("Arab", "Any other ethnic group"),
}
# The warehouse's five groups (seeds/reference/ethnic_groups.csv) in GROUPS' order.
WAREHOUSE_GROUP = dict(zip(GROUPS, ("Asian", "Black", "Mixed", "White", "Other"), strict=True))
# Per local authority of C.LA_CODES: name, usual residents, share of each group (close to 2021's).
AREAS = {
    "E06000016": ("Leicester", 368_600, (0.432, 0.078, 0.038, 0.409, 0.043)),
    "E10000018": ("Leicestershire", 712_300, (0.074, 0.012, 0.021, 0.884, 0.009)),
    "E06000017": ("Rutland", 41_000, (0.012, 0.006, 0.014, 0.963, 0.005)),
}
TOTAL = "Ethnic group: Total: All usual residents"


def columns() -> list[str]:
    out = ["date", "geography", "geography code", TOTAL]
    for group, details in GROUPS.items():
        out += [f"Ethnic group: {group}", *(f"Ethnic group: {group}: {d}" for d in details)]
    return out


def population_frame(seed: int) -> pd.DataFrame:
    """One row per local authority in ONS's layout; group counts multinomial around AREAS' shares."""
    rng = np.random.default_rng([seed, RNG_KEY])
    rows = []
    for code in C.LA_CODES:
        name, residents, shares = AREAS[code]
        groups = rng.multinomial(residents, shares)
        row = {"date": YEAR, "geography": name + SIMULATED, "geography code": code, TOTAL: int(residents)}
        for (group, details), count in zip(GROUPS.items(), groups, strict=True):
            row[f"Ethnic group: {group}"] = int(count)
            split = rng.multinomial(count, rng.dirichlet(np.full(len(details), 2.0)))
            row.update({f"Ethnic group: {group}: {d}": int(n) for d, n in zip(details, split, strict=True)})
        rows.append(row)
    return pd.DataFrame(rows, columns=columns())


def write_population(out: Path, seed: int) -> Path:
    path = out / "population_profile" / YEAR / "ts021.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    population_frame(seed).to_csv(path, index=False, lineterminator="\n")
    return path
