"""Truth for who the workforce is (metrics.md, "Who the workforce is"): the staff-in-post profile and the
representation of one month, from the simulated people as the simulator wrote them into the landing folder
and the simulated population file, with pandas and none of the warehouse's code.

The month's files are the returns as partners sent them; a month chosen for truth must have no hazard file
among them (the last month of the demo has none). People are their NI numbers (spaces removed, upper case;
an ASC worker without one is their establishment and worker id). Rules, as metrics.md states them: NHS staff
in post are the Permanent and Fixed Term Temp assignments, ASC the workers with no leave date (or one after
the month) who are not Agency; organisations report under their final successor; sector and System grains
hold register partners only; within a grain each person counts once under their main assignment (highest
FTE, then earliest start); ASC FTE is contracted hours / 37.5 capped at 1. The residence IMD decile (an
optional column some partners send) is counted per grain, 'Not collected' where the main record has none, and
the grain's people with a decile and in deciles 1-2 are None where no return of the grain sent one. VCSE
is left out here (total rows only, from the workbook, checked by the VCSE truth).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .population import GROUPS, TOTAL, WAREHOUSE_GROUP

PAY_BAND_GROUPS = {
    **dict.fromkeys(("Band 1", "Band 2", "Band 3", "Band 4"), "Band 1-4"),
    **dict.fromkeys(("Band 5", "Band 6", "Band 7"), "Band 5-7"),
    **dict.fromkeys(("Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9"), "Band 8a-9"),
    "Medical": "Medical",
}
DIMENSIONS = ("age_band", "gender", "ethnic_group", "disability", "nationality_group", "service_band", "contract")
GRAIN = ["sector", "org_code", "profession", "pay_band_group"]
STATED = ("White", "Mixed", "Asian", "Black", "Other")


def _key(value: str) -> str:
    return " ".join(str(value).replace("&", " and ").lower().split())


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _register(landing: Path) -> pd.DataFrame:
    latest = sorted((landing / "ics_partners").glob("*/ics.csv"))[-1]
    return _read(latest)


def _successor(register: pd.DataFrame) -> dict[str, str]:
    nxt = {r.org_code: r.successor_code for r in register.itertuples() if r.successor_code}
    out = {}
    for code in register["org_code"]:
        final = code
        while final in nxt:
            final = nxt[final]
        out[code] = final
    return out


def _service_band(days: pd.Series) -> pd.Series:
    years = days / 365.25
    return pd.cut(years, [-np.inf, 1, 2, 5, 10, np.inf], right=False, labels=["<1", "1-2", "2-5", "5-10", "10+"])


def staff_records(landing: Path, month: str, reference: Path) -> pd.DataFrame:
    """One row per staff-in-post record of the month (YYYY-MM), with its grain attributes and categories."""
    crosswalk = _read(reference / "profession_crosswalk.csv")
    profession = {(r.sector, _key(r.source_value)): r.profession for r in crosswalk.itertuples()}
    occupation = dict(_read(reference / "occupation_code_crosswalk.csv")[["leading_character", "profession"]].values)
    register = _register(landing)
    final = _successor(register)
    end = pd.Timestamp(month + "-01") + pd.offsets.MonthEnd(0)

    nhs = pd.concat([_read(p) for p in sorted((landing / "nhs_esr_staff" / month).glob("*.csv"))])
    nhs = nhs[nhs["assignment_category"].isin(["Permanent", "Fixed Term Temp"])]
    nhs_prof = [
        profession.get(("NHS", _key(g))) or occupation.get(str(o)[:1].upper(), "Unknown")
        for g, o in zip(nhs["staff_group"], nhs["occupation_code"], strict=True)
    ]
    nhs_out = pd.DataFrame(
        {
            "source_sector": "NHS",
            "org_code": nhs["org_code"].map(lambda c: final.get(c, c)),
            "person": nhs["ni_number"].str.replace(" ", "").str.upper(),
            "record": nhs["assignment_number"],
            "profession": nhs_prof,
            "fte": nhs["fte"].astype(float),
            "start": pd.to_datetime(nhs["assignment_start_date"]),
            "pay_band_category": nhs["afc_band"].map(PAY_BAND_GROUPS).fillna("Other"),
            "age_band": nhs["age_band"],
            "gender": nhs["gender"],
            "ethnic_group": nhs["ethnic_group"],
            "disability": nhs["disability"],
            "nationality_group": nhs.get("nationality_group", pd.Series("", index=nhs.index)),
            "residence_imd_decile": nhs.get("residence_imd_decile", pd.Series("", index=nhs.index)),
            "contract": nhs["assignment_category"],
        }
    )
    asc = _read(landing / "asc_wds_workers" / month / "extract.csv")
    leave = pd.to_datetime(asc["leave_date"].replace("", None))
    asc = asc[(leave.isna() | (leave > end)) & asc["contract_type"].ne("Agency")]
    hours = pd.to_numeric(asc["contracted_hours"].replace("", None)).fillna(0)
    ni = asc["ni_number"].str.replace(" ", "").str.upper()
    asc_out = pd.DataFrame(
        {
            "source_sector": "Adult social care",
            "org_code": asc["establishment_id"].map(lambda c: final.get(c, c)),
            "person": ni.where(ni != "", "asc:" + asc["establishment_id"] + ":" + asc["worker_id"]),
            "record": asc["worker_id"],
            "profession": [profession.get(("Adult social care", _key(r)), "Unknown") for r in asc["main_job_role"]],
            "fte": (hours / 37.5).clip(upper=1),
            "start": pd.to_datetime(asc["start_date_in_role"]),
            "pay_band_category": "All",
            "age_band": asc["age_band"],
            "gender": asc["gender"],
            "ethnic_group": asc["ethnic_group"],
            "disability": "",
            "nationality_group": asc["nationality_group"],
            "residence_imd_decile": asc.get("residence_imd_decile", ""),
            "contract": asc["contract_type"].where(asc["zero_hours"].ne("Yes"), "Zero-hours"),
        }
    )
    records = pd.concat([nhs_out, asc_out], ignore_index=True)
    # a file without the optional column and an empty cell are both no decile (NaN)
    records["residence_imd_decile"] = pd.to_numeric(records["residence_imd_decile"].fillna("").replace("", None))
    for column in ("age_band", "gender", "ethnic_group", "disability", "nationality_group", "contract"):
        records[column] = records[column].replace("", "Not collected").fillna("Not collected")
    first = records.groupby(["org_code", "person"])["start"].transform("min")
    records["service_band"] = _service_band((end - first).dt.days).astype(str)
    partners = register.set_index("org_code")
    records["is_partner"] = records["org_code"].isin(partners.index)
    records["sector"] = records["org_code"].map(partners["sector"]).fillna(records["source_sector"])
    records["place"] = records["org_code"].map(partners["place"]).replace("", None).fillna("Unknown place")
    return records


def profile(records: pd.DataFrame) -> pd.DataFrame:
    """Headcount per (sector, org_code, profession, pay_band_group, dimension, category) for NHS and ASC."""
    levels = [
        records.assign(g_sector=records["sector"], g_org=records["org_code"]),
        records[records["is_partner"]].assign(g_sector=records["sector"], g_org="ICS"),
        records[records["is_partner"]].assign(g_sector="System", g_org="ICS"),
    ]
    frames = []
    for level in levels:
        for by_profession in (True, False):
            for by_band in (True, False):
                part = level if not by_band else level[level["pay_band_category"] != "All"]
                part = part.assign(
                    g_profession=part["profession"] if by_profession else "All",
                    g_band=part["pay_band_category"] if by_band else "All",
                )
                frames.append(part)
    grains = pd.concat(frames, ignore_index=True)
    keys = ["g_sector", "g_org", "g_profession", "g_band", "person"]
    grains = grains.sort_values(
        [*keys, "fte", "start", "org_code", "record"], ascending=[*[True] * 5, False, True, True, True]
    )
    main = grains.drop_duplicates(keys).drop(columns=["sector", "org_code", "profession"])
    main = main.rename(
        columns={"g_sector": "sector", "g_org": "org_code", "g_profession": "profession", "g_band": "pay_band_group"}
    )
    out = []
    for dimension in (*DIMENSIONS, "pay_band_group"):
        column = "pay_band_category" if dimension == "pay_band_group" else dimension
        counted = main.groupby([*GRAIN, column]).size().rename("headcount").reset_index()
        out.append(counted.rename(columns={column: "category"}).assign(dimension=dimension))
    deciles = main["residence_imd_decile"].map(lambda d: "Not collected" if pd.isna(d) else str(int(d)))
    counted = main.assign(category=deciles).groupby([*GRAIN, "category"]).size().rename("headcount").reset_index()
    out.append(counted.assign(dimension="residence_imd_decile"))
    people = main.groupby(GRAIN).agg(
        headcount=("person", "size"),
        aged_55_plus=("age_band", lambda a: int(a.isin(["55-64", "65+"]).sum())),
        # None where no return of the grain sent a decile (metrics.md, anchor employment)
        imd_stated=("residence_imd_decile", lambda d: int(d.notna().sum()) or None),
        imd_1_2=("residence_imd_decile", lambda d: int((d <= 2).sum()) if d.notna().any() else None),
    )
    out.append(
        people.reset_index().assign(dimension="All", category="All")[[*GRAIN, "dimension", "category", "headcount"]]
    )
    table = pd.concat(out, ignore_index=True)
    return table, people.reset_index()


def population(landing: Path) -> pd.DataFrame:
    """Usual residents per local authority and warehouse group, from the TS021 file (latest year)."""
    path = sorted((landing / "population_profile").glob("*/ts021.csv"))[-1]
    frame = pd.read_csv(path, dtype={"geography code": str})
    long = {WAREHOUSE_GROUP[g]: frame[f"Ethnic group: {g}"] for g in GROUPS}
    return pd.DataFrame({"local_authority_code": frame["geography code"], "total": frame[TOTAL], **long})


def representation(records: pd.DataFrame, register: pd.DataFrame, residents: pd.DataFrame) -> pd.DataFrame:
    """Per (place, sector, ethnic_group): workforce headcount and share, population and its share, ratio."""
    org_level = records[records["is_partner"]]
    main = org_level.sort_values(
        ["org_code", "person", "fte", "start", "record"], ascending=[True, True, False, True, True]
    )
    main = main.drop_duplicates(["org_code", "person"])
    main = main[main["ethnic_group"].isin(STATED)]
    rows = []
    areas = register[register["local_authority_code"].ne("")]
    for place in [*sorted(main["place"].unique()), "ICS"]:
        in_place = main if place == "ICS" else main[main["place"] == place]
        codes = set(
            areas["local_authority_code"]
            if place == "ICS"
            else areas.loc[areas["place"] == place, "local_authority_code"]
        )
        pop = residents[residents["local_authority_code"].isin(codes)]
        for sector in ("NHS", "Adult social care", "System"):
            people = in_place if sector == "System" else in_place[in_place["sector"] == sector]
            by_person = people.drop_duplicates("person")
            stated = len(by_person)
            if not stated:
                continue
            groups = {g: int(by_person["ethnic_group"].eq(g).sum()) for g in STATED}
            groups["Ethnic minority"] = stated - groups["White"]
            for group, count in groups.items():
                members = [g for g in STATED if g != "White"] if group == "Ethnic minority" else [group]
                residents_in = int(pop[members].sum().sum()) if len(pop) else None
                total = int(pop["total"].sum()) if len(pop) else None
                rows.append(
                    {
                        "place": place,
                        "sector": sector,
                        "ethnic_group": group,
                        "workforce_headcount": count,
                        "workforce_share": count / stated,
                        "population": residents_in,
                        "population_share": residents_in / total if total else None,
                    }
                )
    return pd.DataFrame(rows)
