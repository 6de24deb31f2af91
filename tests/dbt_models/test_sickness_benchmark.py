"""mart_sickness_benchmark on NHS England's real published files (Apr-Sep 2024): the real refresh job,
checked against figures computed independently here with pandas from the same CSV files."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulator.generate import REALDATA
from tests.conftest import refresh_into

REAL = REALDATA / "nhs_sickness_absence"
FILES = sorted(REAL.glob("nhs_sickness_absence_*.csv"))
TRUST_TYPES = ("Acute", "Ambulance", "Community Provider Trust", "Mental Health")
REGISTER = (
    "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns\n"
    "RWE,University Hospitals of Leicester NHS Trust,NHS,Acute trust,,2020-01-01,,nhs_pwr\n"
    "RT5,Leicestershire Partnership NHS Trust,NHS,Mental health trust,,2020-01-01,,nhs_pwr\n"
    # A register partner the national file places in another ICS (Nottingham, QT1): still a partner.
    "RX1,Nottingham University Hospitals NHS Trust,NHS,Acute trust,,2020-01-01,,\n"
)
PWR = (
    "org_code,period,staff_group,establishment_fte,substantive_fte,bank_fte,agency_fte,vacancy_fte,"
    "sickness_fte_days_lost,sickness_fte_days_available\n"
    "RWE,2024-04,Nursing and Midwifery Registered,220,180,12,8,40,450,9000\n"
    "RWE,2024-04,Allied Health Professionals,60,50,2,1,10,80,2500\n"
)

pytestmark = pytest.mark.skipif(not FILES, reason="the real NHS sickness files are not on this machine")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path):
    landing = tmp_path_factory.mktemp("sickness_landing")
    for file in FILES:
        month = file.stem.rsplit("_", 1)[1]
        target = landing / "nhs_published_sickness" / month / "england.csv"
        target.parent.mkdir(parents=True)
        shutil.copyfile(file, target)
    (landing / "ics_partners" / "2024-04").mkdir(parents=True)
    (landing / "ics_partners" / "2024-04" / "ics.csv").write_text(REGISTER)
    (landing / "nhs_pwr" / "2024-04").mkdir(parents=True)
    (landing / "nhs_pwr" / "2024-04" / "RWE.csv").write_text(PWR)
    return refresh_into(landing, tmp_path_factory.mktemp("sickness_run"))


@pytest.fixture(scope="module")
def files() -> pd.DataFrame:
    frames = [pd.read_csv(f, dtype={"ORG_CODE": str, "NHSE_REGION_CODE": str, "ICS_CODE": str}) for f in FILES]
    frame = pd.concat(frames, ignore_index=True)
    frame["period"] = pd.to_datetime(frame["DATE"], format="%d/%m/%Y").dt.date
    return frame


@pytest.fixture(scope="module")
def mart(published) -> pd.DataFrame:
    columns = [
        "period",
        "org_code",
        "org_type",
        "region_code",
        "ics_code",
        "is_ics_partner",
        "fte_days_lost",
        "fte_days_available",
        "sickness_rate",
        "published_rate",
        "region_rate",
        "england_rate",
        "england_trust_rate",
        "org_type_rate",
        "percentile_in_org_type",
        "ics_derived_rate",
    ]
    rows = published.marts_query(f"select {', '.join(columns)} from mart_sickness_benchmark")
    return pd.DataFrame(rows, columns=columns)


def test_every_row_of_every_file_is_in_the_mart_once(mart, files):
    assert len(files) == 6 * 285
    assert len(mart) == len(files)
    assert not mart.duplicated(["period", "org_code"]).any()
    assert set(zip(mart.period, mart.org_code, strict=True)) == set(zip(files.period, files.ORG_CODE, strict=True))


def test_recomputed_rate_matches_the_published_rate_within_rounding(mart, files):
    merged = mart.merge(files, left_on=["period", "org_code"], right_on=["period", "ORG_CODE"])
    assert len(merged) == len(files)
    difference = (merged.sickness_rate * 100 - merged.SICKNESS_ABSENCE_RATE_PERCENT).abs()
    assert difference.max() <= 0.005 + 1e-9
    assert merged.sickness_rate.tolist() == pytest.approx(
        (merged.FTE_DAYS_LOST / merged.FTE_DAYS_AVAILABLE).tolist(), rel=1e-12
    )
    assert merged.published_rate.tolist() == pytest.approx(
        (merged.SICKNESS_ABSENCE_RATE_PERCENT / 100).tolist(), rel=1e-12
    )


def test_england_rate_is_all_days_lost_over_all_days_available(mart, files):
    sums = files.groupby("period")[["FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE"]].sum()
    expected = (sums.FTE_DAYS_LOST / sums.FTE_DAYS_AVAILABLE).to_dict()
    trusts = files[files.ORG_TYPE.isin(TRUST_TYPES)].groupby("period")[["FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE"]].sum()
    expected_trusts = (trusts.FTE_DAYS_LOST / trusts.FTE_DAYS_AVAILABLE).to_dict()
    assert len(expected) == 6
    for period, group in mart.groupby("period"):
        assert group.england_rate.nunique() == 1
        assert group.england_rate.iloc[0] == pytest.approx(expected[period], rel=1e-12)
        assert group.england_trust_rate.iloc[0] == pytest.approx(expected_trusts[period], rel=1e-12)
    # ICBs, CSUs and national bodies have lower sickness than trusts: including them lowers England.
    assert all(expected[p] < expected_trusts[p] for p in expected)


def test_region_and_org_type_rates_are_sums_over_sums(mart, files):
    for key, column in (("NHSE_REGION_CODE", "region_rate"), ("ORG_TYPE", "org_type_rate")):
        sums = files.groupby(["period", key])[["FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE"]].sum()
        expected = (sums.FTE_DAYS_LOST / sums.FTE_DAYS_AVAILABLE).rename("expected").reset_index()
        merged = mart.merge(files, left_on=["period", "org_code"], right_on=["period", "ORG_CODE"]).merge(
            expected, on=["period", key]
        )
        assert len(merged) == len(files)
        assert merged[column].tolist() == pytest.approx(merged.expected.tolist(), rel=1e-12)
    assert mart.region_code.nunique() == 8


def test_percentile_in_org_type_is_percent_rank_with_one_the_highest(mart, files):
    frame = files.copy()
    frame["rate"] = frame.FTE_DAYS_LOST / frame.FTE_DAYS_AVAILABLE
    ranks = frame.groupby(["period", "ORG_TYPE"]).rate.rank(method="min")
    sizes = frame.groupby(["period", "ORG_TYPE"]).rate.transform("count")
    frame["expected"] = (ranks - 1) / (sizes - 1)
    merged = mart.merge(frame, left_on=["period", "org_code"], right_on=["period", "ORG_CODE"])
    assert merged.percentile_in_org_type.tolist() == pytest.approx(merged.expected.tolist(), abs=1e-12)
    top = merged.loc[merged.groupby(["period", "ORG_TYPE"]).rate.idxmax()]
    assert (top.percentile_in_org_type == 1).all()


def test_ics_partners_and_their_own_derived_rate(mart, files):
    partners = mart[mart.is_ics_partner]
    in_ics = set(files.loc[files.ICS_CODE == "QK1", "ORG_CODE"])
    assert in_ics == {"QK1", "RT5", "RWE"}
    assert "RX1" not in in_ics and "RX1" in set(files.ORG_CODE)
    assert set(partners.org_code) == in_ics | {"RX1"}
    assert len(partners) == 4 * 6
    rwe_april = mart[(mart.org_code == "RWE") & (mart.period == pd.Timestamp("2024-04-30").date())]
    assert rwe_april.ics_derived_rate.iloc[0] == pytest.approx((450 + 80) / (9000 + 2500))
    # No return, no derived rate; never one for an organisation outside the ICS.
    assert mart.ics_derived_rate.notna().sum() == 1


def test_a_resubmitted_month_replaces_the_earlier_file(workspace):
    """One current file per month folder: england__v2.csv replaces england.csv of the same month."""
    original = FILES[0].read_bytes()
    month = FILES[0].stem.rsplit("_", 1)[1]
    workspace.write(f"nhs_published_sickness/{month}/england.csv", original)
    header, *rows = list(csv.reader(io.StringIO(original.decode("utf-8"))))
    # v2 drops the last organisation and doubles RWE's days lost (and its rate, kept consistent).
    corrected = []
    for cells in rows[:-1]:
        if cells[5] == "RWE":
            cells[8] = str(float(cells[8]) * 2)
            cells[10] = f"{float(cells[8]) / float(cells[9]) * 100:.2f}"
        corrected.append(cells)
    assert any(cells[5] == "RWE" for cells in corrected)
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows([header, *corrected])
    workspace.write(f"nhs_published_sickness/{month}/england__v2.csv", text.getvalue())
    assert workspace.refresh().success

    frame = pd.read_csv(FILES[0], dtype={"ORG_CODE": str})
    kept = frame.iloc[:-1].copy()
    kept.loc[kept.ORG_CODE == "RWE", "FTE_DAYS_LOST"] *= 2
    rows = workspace.marts_query(
        "select count(*), min(england_rate), max(england_rate) from mart_sickness_benchmark where period = ?",
        [kept.DATE.map(lambda d: pd.to_datetime(d, format="%d/%m/%Y").date()).iloc[0]],
    )
    count, low, high = rows[0]
    assert count == len(kept) == 284
    assert low == high == pytest.approx(kept.FTE_DAYS_LOST.sum() / kept.FTE_DAYS_AVAILABLE.sum(), rel=1e-12)
    (rwe,) = workspace.marts_query("select sickness_rate from mart_sickness_benchmark where org_code = 'RWE'")
    expected = kept.loc[kept.ORG_CODE == "RWE"]
    assert rwe[0] == pytest.approx((expected.FTE_DAYS_LOST / expected.FTE_DAYS_AVAILABLE).iloc[0], rel=1e-12)
