"""The first slice end to end: hand-written nhs_pwr returns -> the real Dagster job -> published
mart_vacancy, checked against figures worked out by hand from the files."""

from __future__ import annotations

import pytest

from tests.conftest import Workspace, refresh_into

HEADER = (
    "org_code,period,staff_group,establishment_fte,substantive_fte,bank_fte,agency_fte,vacancy_fte,"
    "sickness_fte_days_lost,sickness_fte_days_available\n"
)
REGISTER = (
    "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns\n"
    "RWE,University Hospitals of Leicester NHS Trust,NHS,Acute trust,,2020-01-01,,nhs_pwr\n"
    "RT5,Leicestershire Partnership NHS Trust,NHS,Mental health trust,,2020-01-01,,nhs_pwr\n"
)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One real refresh shared by the module's tests (a refresh runs the whole dbt build)."""
    root = tmp_path_factory.mktemp("pwr_slice")
    workspace = Workspace(root / "landing", root / "unused", root / "unused")
    workspace.write("ics_partners/2024-01/ics.csv", REGISTER)
    # Two staff groups of RWE map to one profession (Allied health and scientific).
    workspace.write(
        "nhs_pwr/2024-01/RWE.csv",
        HEADER
        + "RWE,2024-01,Nursing and Midwifery Registered,220,180,12,8,40,450,9000\n"
        + "RWE,2024-01,Allied Health Professionals,60,50,2,1,10,80,2500\n"
        + "RWE,2024-01,Healthcare Scientists,30,25,0,0,5,20,1250\n",
    )
    workspace.write(
        "nhs_pwr/2024-02/RWE.csv",
        # CRLF, a BOM, shuffled columns and spaced, upper-case headers are all accepted.
        "\ufeff" + " STAFF_GROUP ,org_code,period,substantive_fte,bank_fte,agency_fte,vacancy_fte,establishment_fte,"
        "sickness_fte_days_lost,sickness_fte_days_available\r\n"
        + "Nursing and Midwifery Registered,RWE,2024-02,185,10,5,35,220,400,8000\r\n"
        + "Allied Health Professionals,RWE,2024-02,52,0,3,8,60,100,2600\r\n",
    )
    workspace.write(
        "nhs_pwr/2024-01/RT5.csv",
        HEADER + "RT5,2024-01,Medical and Dental,40,36,1,3,4,30,800\n",
    )
    return refresh_into(workspace.landing, root)


def vacancy(workspace, period, org, profession):
    rows = workspace.marts_query(
        "select vacancy_rate, bank_agency_share, sickness_rate, vacancy_basis, bank_agency_basis, org_name "
        "from mart_vacancy where period = ? and org_code = ? and profession = ?",
        [period, org, profession],
    )
    assert len(rows) == 1, (period, org, profession, rows)
    return rows[0]


def test_profession_rows_match_hand_computation(published):
    rate, share, sickness, vacancy_basis, bank_basis, name = vacancy(
        published, "2024-01-31", "RWE", "Nursing and midwifery"
    )
    assert rate == pytest.approx(40 / (40 + 180))
    assert share == pytest.approx((12 + 8) / (180 + 12 + 8))
    assert sickness == pytest.approx(450 / 9000)
    assert (vacancy_basis, bank_basis) == ("FTE", "FTE")
    assert name == "University Hospitals of Leicester NHS Trust"

    # Two staff groups summed into one profession: sums over sums, never an average of rates.
    rate, share, sickness, *_ = vacancy(published, "2024-01-31", "RWE", "Allied health and scientific")
    assert rate == pytest.approx((10 + 5) / (10 + 5 + 50 + 25))
    assert share == pytest.approx((2 + 1 + 0 + 0) / (50 + 25 + 2 + 1))
    assert sickness == pytest.approx((80 + 20) / (2500 + 1250))


def test_all_profession_is_the_sum_of_staff_groups(published):
    rate, share, sickness, *_ = vacancy(published, "2024-01-31", "RWE", "All")
    assert rate == pytest.approx((40 + 10 + 5) / (40 + 10 + 5 + 180 + 50 + 25))
    assert share == pytest.approx((12 + 8 + 2 + 1) / (180 + 50 + 25 + 12 + 8 + 2 + 1))
    assert sickness == pytest.approx((450 + 80 + 20) / (9000 + 2500 + 1250))


def test_second_month_and_second_trust(published):
    rate, share, sickness, *_ = vacancy(published, "2024-02-29", "RWE", "All")
    assert rate == pytest.approx((35 + 8) / (35 + 8 + 185 + 52))
    assert share == pytest.approx((10 + 5 + 0 + 3) / (185 + 52 + 10 + 5 + 3))
    assert sickness == pytest.approx((400 + 100) / (8000 + 2600))

    rate, share, sickness, *_ = vacancy(published, "2024-01-31", "RT5", "Medical and dental")
    assert rate == pytest.approx(4 / 40)
    assert share == pytest.approx(4 / 40)
    assert sickness == pytest.approx(30 / 800)


def test_incomplete_month_is_null_not_partial(published):
    # RT5 sent nothing for 2024-02: no row is published for it rather than a figure from nothing.
    assert published.marts_query(
        "select count(*) from mart_vacancy where org_code = 'RT5' and period = '2024-02-29'"
    ) == [(0,)]
    periods = published.marts_query("select distinct period from mart_vacancy order by 1")
    assert [str(p[0]) for p in periods] == ["2024-01-31", "2024-02-29"]


def test_published_file_holds_the_refresh_log(published):
    ((count, used),) = published.marts_query("select count(*), max(returns_used) from refresh_log")
    assert count == 1 and used == 4  # the register and three pwr returns
