"""mart_workforce_profile and mart_representation against simulator/truth_profile.py on the demo returns (the
shared refresh), and the real ONS TS021 layout dropping in.

Two steps per figure: the unsuppressed intermediate (int_profile_counts, int_representation) must reproduce
the truth exactly for the demo's last month, every NHS and ASC grain (organisation, sector, System; by
profession and pay band group, 'All' included) and every dimension; then every published count is either
that value or NULL on a suppressed row, never 1 to 4, and published categories add up to their total."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from orchestration.ingestion.readers import parse_return
from orchestration.ingestion.sources import SOURCES_BY_NAME
from simulator import truth_profile
from tests.conftest import PROJECT_ROOT

KEYS = ["sector", "org_code", "profession", "pay_band_group", "dimension", "category"]


@pytest.fixture(scope="module")
def month(demo_truth) -> str:
    return demo_truth["last_period"][:7]


@pytest.fixture(scope="module")
def truth(month):
    landing = PROJECT_ROOT / "seeds" / "returns"
    records = truth_profile.staff_records(landing, month, PROJECT_ROOT / "seeds" / "reference")
    table, people = truth_profile.profile(records)
    register = truth_profile._register(landing)
    represented = truth_profile.representation(records, register, truth_profile.population(landing))
    return table, represented, people


def _frame(path, sql: str, month: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, [f"{month}-01"]).df()


def test_profile_counts_equal_the_truth(demo, truth, month):
    expected, _, _ = truth
    actual = _frame(
        demo.warehouse,
        "select sector, org_code, profession, pay_band_group, dimension, category, headcount "
        "from intermediate.int_profile_counts where period = last_day(cast(? as date)) and sector <> 'VCSE' "
        "and not (sector = 'System' and dimension = 'All')",
        month,
    )
    expected = expected[~((expected["sector"] == "System") & (expected["dimension"] == "All"))]
    merged = expected.merge(actual, on=KEYS, how="outer", suffixes=("_truth", "_mart"), indicator=True)
    wrong = merged[(merged["_merge"] != "both") | (merged["headcount_truth"] != merged["headcount_mart"])]
    assert len(expected) > 1000
    assert wrong.empty, f"{len(wrong)} of {len(merged)} profile cells differ from the truth:\n{wrong.head(20)}"
    # every level, professions and pay band groups are there
    assert {"NHS", "Adult social care", "System"} <= set(actual["sector"])
    assert {"Band 1-4", "Band 5-7", "Band 8a-9", "All"} <= set(actual["pay_band_group"])
    assert {"Zero-hours", "Permanent"} <= set(actual.loc[actual["dimension"] == "contract", "category"])
    deciles = actual[actual["dimension"] == "residence_imd_decile"]
    assert {"1", "2", "10", "Not collected"} <= set(deciles["category"]), "some partners send deciles, some not"


def test_published_profile_is_the_counts_or_suppressed_and_categories_add_up(demo, month):
    published = _frame(
        demo.marts,
        "select * from mart_workforce_profile where period = last_day(cast(? as date))",
        month,
    )
    assert not published["headcount"].between(1, 4).any(), "a published headcount of 1 to 4"
    assert published.loc[published["headcount"].isna(), "is_suppressed"].all()
    counts = _frame(
        demo.warehouse,
        "select * from intermediate.int_profile_counts where period = last_day(cast(? as date))",
        month,
    )
    both = published.merge(counts, on=KEYS, suffixes=("", "_raw"))
    shown = both[both["headcount"].notna()]
    assert (shown["headcount"] == shown["headcount_raw"]).all()
    # categories of a dimension add up to the total row wherever all are published (NHS and ASC grains)
    grain = ["sector", "org_code", "profession", "pay_band_group"]
    totals = published[published["dimension"] == "All"].set_index(grain)["headcount"]
    dims = published[~published["dimension"].isin(["All", "residence_imd_decile"]) & (published["sector"] != "System")]
    checked = 0
    for key, group in dims.groupby([*grain, "dimension"]):
        total = totals.get(key[:4])
        if key[0] != "VCSE" and group["headcount"].notna().all() and pd.notna(total):
            assert group["headcount"].sum() == total, (key, group)
            checked += 1
    assert checked > 100
    # residence deciles: only 1 .. 10 are published (the total row's remainder is 'Not collected')
    imd = published[published["dimension"] == "residence_imd_decile"]
    assert set(imd["category"]) <= {str(d) for d in range(1, 11)}
    assert published.loc[published["dimension"] == "All", "share_aged_55_plus"].notna().any()


def test_published_imd_figures_equal_the_truth(demo, truth, month):
    """Anchor employment (metrics.md): per grain, the people with a residence IMD decile, those in deciles 1-2
    and their share, where the grain's returns sent deciles (simulator/routes.py: some partners do, some not).
    Every published value equals the truth; suppressed ones are NULL, none is 1 to 4."""
    _, _, people = truth
    published = _frame(
        demo.marts,
        "select sector, org_code, profession, pay_band_group, headcount_imd_stated, headcount_imd_1_2, "
        "share_imd_1_2 from mart_workforce_profile where period = last_day(cast(? as date)) and dimension = 'All' "
        "and sector <> 'VCSE'",
        month,
    )
    merged = published.merge(people, on=KEYS[:4], how="left")
    compared = {}
    for column, expected in (("headcount_imd_stated", "imd_stated"), ("headcount_imd_1_2", "imd_1_2")):
        shown = merged[merged[column].notna()]
        assert not shown[column].between(1, 4).any(), column
        assert (shown[column] == shown[expected]).all(), shown[shown[column] != shown[expected]].head(10)
        compared[column] = len(shown)
    rated = merged[merged["share_imd_1_2"].notna()]
    truth_share = rated["imd_1_2"] / rated["imd_stated"]
    assert (rated["share_imd_1_2"] - truth_share).abs().max() < 1e-9
    compared["share_imd_1_2"] = len(rated)
    # no decile sent in the grain: the three are NULL (not 0)
    unsent = merged[merged["imd_stated"].isna()]
    assert unsent[["headcount_imd_stated", "headcount_imd_1_2", "share_imd_1_2"]].isna().all().all()
    # demo, last month: 74 people-with-a-decile counts, 66 in deciles 1-2, 17 shares published, ~100 grains unsent
    floors = {"headcount_imd_stated": 50, "headcount_imd_1_2": 45, "share_imd_1_2": 12}
    assert len(unsent) >= 50 and all(compared[c] >= n for c, n in floors.items()), (len(unsent), compared)
    for level in ("NHS", "Adult social care", "System"):
        assert ((rated["sector"] == level) & (rated["org_code"] == "ICS")).any(), level


def test_representation_equals_the_truth(demo, truth, month):
    _, expected, _ = truth
    actual = _frame(
        demo.warehouse,
        "select place, sector, ethnic_group, workforce_headcount, workforce_share, population, population_share "
        "from intermediate.int_representation where period = last_day(cast(? as date))",
        month,
    )
    merged = expected.merge(actual, on=["place", "sector", "ethnic_group"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    assert (merged["workforce_headcount_x"] == merged["workforce_headcount_y"]).all()
    assert (merged["workforce_share_x"] - merged["workforce_share_y"]).abs().max() < 1e-9
    assert (merged["population_x"] == merged["population_y"]).all()
    assert (merged["population_share_x"] - merged["population_share_y"]).abs().max() < 1e-9
    assert {"ICS", "Leicester City"} <= set(actual["place"])
    published = _frame(
        demo.marts,
        "select * from mart_representation where period = last_day(cast(? as date))",
        month,
    )
    assert not published["workforce_headcount"].between(1, 4).any()
    ics = published[(published["place"] == "ICS") & (published["sector"] == "System")].set_index("ethnic_group")
    assert ics.loc["Ethnic minority", "representation_ratio"] == pytest.approx(
        ics.loc["Ethnic minority", "workforce_share"] / ics.loc["Ethnic minority", "population_share"]
    )
    assert (published["population_year"] == 2021).all()


# Real-shaped rows of ONS's census2021-ts021-ltla.csv (bulk download), figures as published for two areas.
ONS_HEADER = (
    'date,geography,geography code,Ethnic group: Total: All usual residents,"Ethnic group: Asian, Asian British or '
    'Asian Welsh","Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi","Ethnic group: Asian, Asian '
    'British or Asian Welsh: Chinese","Ethnic group: Asian, Asian British or Asian Welsh: Indian","Ethnic group: '
    'Asian, Asian British or Asian Welsh: Pakistani","Ethnic group: Asian, Asian British or Asian Welsh: Other '
    'Asian","Ethnic group: Black, Black British, Black Welsh, Caribbean or African","Ethnic group: Black, Black '
    'British, Black Welsh, Caribbean or African: African","Ethnic group: Black, Black British, Black Welsh, '
    'Caribbean or African: Caribbean","Ethnic group: Black, Black British, Black Welsh, Caribbean or African: '
    'Other Black",Ethnic group: Mixed or Multiple ethnic groups,Ethnic group: Mixed or Multiple ethnic groups: '
    "White and Asian,Ethnic group: Mixed or Multiple ethnic groups: White and Black African,Ethnic group: Mixed or "
    "Multiple ethnic groups: White and Black Caribbean,Ethnic group: Mixed or Multiple ethnic groups: Other Mixed "
    'or Multiple ethnic groups,Ethnic group: White,"Ethnic group: White: English, Welsh, Scottish, Northern Irish '
    'or British",Ethnic group: White: Irish,Ethnic group: White: Gypsy or Irish Traveller,Ethnic group: White: '
    "Roma,Ethnic group: White: Other White,Ethnic group: Other ethnic group,Ethnic group: Other ethnic group: "
    "Arab,Ethnic group: Other ethnic group: Any other ethnic group"
)
ONS_ROWS = (
    "2021,Leicester,E06000016,368571,159186,2575,2811,126421,8544,18835,28766,20233,2733,5800,14206,3892,2318,"
    "4873,3123,150749,119930,1435,255,1098,28031,15664,9097,6567",
    "2021,Rutland,E06000017,41049,547,14,103,191,44,195,270,119,86,65,760,283,91,205,181,39343,37151,155,43,5,"
    "1989,129,36,93",
)


def test_the_real_ons_layout_drops_in():
    data = (ONS_HEADER + "\r\n" + "\r\n".join(ONS_ROWS) + "\r\n").encode()
    parsed = parse_return(data, SOURCES_BY_NAME["population_profile"], "csv")
    frame = parsed.frame.set_index("geography_code")
    assert list(frame.index) == ["E06000016", "E06000017"]
    assert frame.loc["E06000016", ["all_usual_residents", "asian", "white"]].tolist() == ["368571", "159186", "150749"]
    groups = frame[["asian", "black", "mixed", "white", "other"]].astype(int).sum(axis=1)
    assert (groups == frame["all_usual_residents"].astype(int)).all()
    # the demo's simulated file is in the same layout: the same header, and it says it is simulated
    simulated = (PROJECT_ROOT / "seeds" / "returns" / "population_profile" / "2021" / "ts021.csv").read_text()
    header = next(iter(pd.read_csv(pd.io.common.StringIO(ONS_HEADER)).columns.to_series().pipe(list)), None)
    assert header == "date"
    assert list(pd.read_csv(pd.io.common.StringIO(simulated)).columns) == list(
        pd.read_csv(pd.io.common.StringIO(ONS_HEADER)).columns
    )
    assert all(name.endswith("(simulated)") for name in pd.read_csv(pd.io.common.StringIO(simulated))["geography"])


def test_staff_returns_load_with_or_without_the_optional_columns():
    """nationality_group and residence_imd_decile (returns.md: optional) are read when sent, NULL when left out."""
    header = (
        "org_code,period,ni_number,employee_number,assignment_number,staff_group,occupation_code,afc_band,"
        "assignment_category,fte,assignment_start_date,nhs_start_date,age_band,gender,ethnic_group,disability"
    )
    row = "RWE,2024-01,QQ123456C,1,1-1,Medical and Dental,,Medical,Permanent,1,2020-01-01,,35-44,Female,Asian,No"
    source = SOURCES_BY_NAME["nhs_esr_staff"]
    without = parse_return(f"{header}\n{row}\n".encode(), source, "csv")
    assert without.frame[["nationality_group", "residence_imd_decile"]].isna().all().all()
    assert without.warnings == []
    sent = parse_return(f"{header},nationality_group,residence_imd_decile\n{row},EU,2\n".encode(), source, "csv")
    assert sent.frame[["nationality_group", "residence_imd_decile"]].values.tolist() == [["EU", "2"]]
