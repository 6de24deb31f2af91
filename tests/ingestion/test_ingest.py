"""Ingestion through real Dagster materialisations of the ingestion assets on temporary landing folders:
every source, the real published files, shape errors, versions, reloads and pseudonymisation."""

from __future__ import annotations

import re
import shutil

import pytest
from dagster import materialize

from orchestration.ingestion.assets import ingestion_assets
from orchestration.ingestion.sources import SOURCES_BY_NAME
from orchestration.resources import WarehouseResource
from simulator.generate import REALDATA
from tests.ingestion.returns import NI_NUMBERS, csv_text, register_text, vcse_workbook

CSV_SOURCES = [
    "nhs_esr_staff",
    "nhs_esr_leavers",
    "nhs_recruitment",
    "nhs_pwr",
    "nhs_staff_survey",
    "nhs_wres",
    "asc_wds_workers",
    "asc_wds_establishments",
    "cqc_ratings",
]


def ingest(force: list[str] | None = None):
    """Materialise every ingestion asset in process, as the refresh job does, without dbt."""
    result = materialize(
        ingestion_assets,
        resources={"warehouse": WarehouseResource(force_reload=force or [])},
    )
    assert result.success
    return {
        event.asset_key.path[-1]: event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }


def period_of(source: str) -> str:
    return "2024" if SOURCES_BY_NAME[source].cadence == "annual" else "2024-03"


def load_log(workspace, source: str) -> list[tuple]:
    return workspace.warehouse_query(
        "select file_name, version, status, is_current, rows from audit.load_log where source = ? order by load_id",
        [source],
    )


def problems(workspace, file_name: str) -> list[tuple]:
    return workspace.warehouse_query(
        "select severity, row_number, column_name, reason from audit.quarantine where file_name = ? "
        "order by severity, row_number",
        [file_name],
    )


@pytest.fixture
def every_source(workspace):
    workspace.write("ics_partners/2024-03/ics.csv", register_text([("RWE", "NHS", "nhs_pwr")]))
    for source in CSV_SOURCES:
        submitter = "cqc" if source == "cqc_ratings" else ("extract" if source.startswith("asc") else "RWE")
        workspace.write(f"{source}/{period_of(source)}/{submitter}.csv", csv_text(source, period_of(source), "RWE"))
    workspace.write("vcse_returns/2024-03/1012345.xlsx", vcse_workbook("2024-03", "1012345"))
    for path in sorted((REALDATA / "nhs_sickness_absence").glob("*.csv")):
        month = path.stem.rsplit("_", 1)[-1]
        workspace.write(f"nhs_published_sickness/{month}/england.csv", path.read_bytes())
    workspace.write("ods_trusts/2024-09/etr.csv", (REALDATA / "ods" / "etr.csv").read_bytes())
    return workspace


def test_every_source_loads_through_its_asset(every_source):
    metadata = ingest()
    for source in [*CSV_SOURCES, "ics_partners"]:
        assert metadata[source]["rows_loaded"].value >= 1, source
        assert metadata[source]["returns_quarantined"].value == 0, (source, metadata[source]["quarantined"])
    for source in CSV_SOURCES:
        (count,) = every_source.warehouse_query(f"select count(*) from raw.{source}")[0]
        assert count == 3, source
    # The VCSE workbook: four sheets into three tables; the contact email never reaches the warehouse.
    assert every_source.warehouse_query(
        "select role_category, paid_headcount, paid_fte, quarter_end, charity_number from raw.vcse_returns "
        "order by source_row"
    ) == [
        ("Care and support", 10, 8.5, "2024-03", "1012345"),
        ("Counselling and therapy", 11, 9.5, "2024-03", "1012345"),
        ("Management and administration", 12, 10.5, "2024-03", "1012345"),
    ]
    assert every_source.warehouse_query("select reason, count from raw.vcse_leaving_reasons") == [
        ("Work-life balance", 2)
    ]
    assert every_source.warehouse_query("select measure, score, responses from raw.vcse_pulse") == [
        ("I feel valued", 7.2, 14)
    ]


def test_real_published_files_load_as_published(every_source):
    ingest()
    months = every_source.warehouse_query(
        "select return_period, count(*), count(distinct org_code) from raw.nhs_published_sickness group by 1 order by 1"
    )
    assert [m[0] for m in months] == ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09"]
    assert all(rows == 285 and orgs == 285 for _, rows, orgs in months)  # 286 lines less the header
    ((lost, available, rate),) = every_source.warehouse_query(
        "select fte_days_lost, fte_days_available, sickness_absence_rate_percent from raw.nhs_published_sickness "
        "where org_code = '0DF' and date = '2024-07-31'"
    )
    assert (lost, available, rate) == (2308.0565, 55258.42301, 4.18)  # the quoted name with a comma parsed
    assert every_source.warehouse_query("select count(*), count(close_date) from raw.ods_trusts") == [(274, 72)]
    assert every_source.warehouse_query("select org_name, open_date from raw.ods_trusts where org_code = 'R0A'") == [
        ("MANCHESTER UNIVERSITY NHS FOUNDATION TRUST", __import__("datetime").date(2017, 10, 1))
    ]


PWR = csv_text("nhs_pwr", "2024-03", "RWE")
SHAPE_ERRORS = {
    # file name -> (content, expected row, expected column, words the reason must hold)
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00junk", 3, None, "binary"),
    "latin1": (
        (csv_text("nhs_pwr", "2024-03", "RWE").replace("Medical and Dental", "M\u00e9dical")).encode("latin-1"),
        3,
        None,
        "not UTF-8",
    ),
    "empty": (b"", None, None, "empty"),
    "zip": (b"PK\x03\x04" + b"\x00" * 40, None, None, "not CSV"),
    "missing": (
        "\n".join(",".join(line.split(",")[:7] + line.split(",")[8:]) for line in PWR.splitlines()) + "\n",
        1,
        "vacancy_fte",
        "required column missing",
    ),
    "text_in_number": (PWR.replace(",12,", ",twelve,", 1), 4, "establishment_fte", "not a number"),
    # Blank lines are rows in a spreadsheet: the bad value is on row 5 once a blank line precedes it.
    "blank_line": (
        PWR.replace(",12,", ",twelve,", 1).replace("\n", "\n\n", 2).replace("\n\n", "\n", 1),
        5,
        "establishment_fte",
        "not a number",
    ),
    "utf16": (PWR.encode("utf-16"), None, None, "UTF-16"),
    "utf16_no_bom": (PWR.encode("utf-16-le"), None, None, "UTF-16"),
    "period": (csv_text("nhs_pwr", "2024-03", "RWE").replace("2024-03", "2024-04"), 2, "period", "differs"),
    "ragged": (csv_text("nhs_pwr", "2024-03", "RWE") + "RWE,2024-03,Extra\n", 5, None, "fields"),
    "duplicated": (
        csv_text("nhs_pwr", "2024-03", "RWE").replace("bank_fte,agency_fte", "bank_fte,bank_fte", 1),
        1,
        "bank_fte",
        "twice",
    ),
}


@pytest.mark.parametrize("case", sorted(SHAPE_ERRORS))
def test_shape_error_quarantines_the_return_whole_and_names_where(workspace, case):
    content, row, column, words = SHAPE_ERRORS[case]
    workspace.write("nhs_pwr/2024-03/RWE__v2.csv", content)  # a bad correction of a good return
    workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE"))
    metadata = ingest()
    assert metadata["nhs_pwr"]["returns_quarantined"].value == 1
    found = problems(workspace, "nhs_pwr/2024-03/RWE__v2.csv")
    assert found, case
    severity, found_row, found_column, reason = found[0]
    assert severity == "ERROR"
    assert words.lower() in reason.lower(), reason
    if row is not None:
        assert found_row == row, reason
    if column is not None:
        assert found_column == column, reason
    # Nothing of the bad return reached raw; the good return loaded whole.
    assert workspace.warehouse_query("select distinct submitter from raw.nhs_pwr") == [("RWE",)]
    assert workspace.warehouse_query("select count(*) from raw.nhs_pwr") == [(3,)]


def test_layout_problems_are_quarantined_not_skipped(workspace):
    workspace.write("nhs_pwr/March/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE"))
    workspace.write("vcse_returns/2024-05/1012345.xlsx", vcse_workbook("2024-05", "1012345"))
    workspace.write("vcse_returns/2024-06/1012345.xlsx", csv_text("nhs_pwr", "2024-06", "RWE"))
    ingest()
    assert "not a month" in problems(workspace, "nhs_pwr/March/RWE.csv")[0][3]
    assert "quarter end" in problems(workspace, "vcse_returns/2024-05/1012345.xlsx")[0][3]
    assert "not an .xlsx" in problems(workspace, "vcse_returns/2024-06/1012345.xlsx")[0][3]


def test_vcse_quarter_end_must_match_its_folder_and_misspelt_column_names_sheet(workspace):
    workspace.write("vcse_returns/2024-06/1000001.xlsx", vcse_workbook("2024-06", "1000001", quarter_end="2024-03"))
    workspace.write(
        "vcse_returns/2024-06/1000002.csv",
        "role_category,paid_headcuont,paid_fte,volunteers,vacancies,joiners,leavers,leavers_under_12_months,"
        "sessional_or_agency_fte,average_days_to_fill\nOther,1,1,0,0,0,0,0,0,\n",
    )
    ingest()
    severity, _, column, reason = problems(workspace, "vcse_returns/2024-06/1000001.xlsx")[0]
    assert (severity, column) == ("ERROR", "quarter_end") and "2024-03" in reason
    found = problems(workspace, "vcse_returns/2024-06/1000002.csv")
    assert [p[:3] for p in found] == [("ERROR", 1, "paid_headcount")]
    assert "paid_headcuont" in found[0][3]


def test_unknown_extra_column_is_loaded_with_a_warning(workspace):
    text = csv_text("nhs_pwr", "2024-03", "RWE").splitlines()
    text = [text[0] + ",comments"] + [line + ",free text" for line in text[1:]]
    workspace.write("nhs_pwr/2024-03/RWE.csv", "\n".join(text) + "\n")
    ingest()
    assert load_log(workspace, "nhs_pwr") == [("nhs_pwr/2024-03/RWE.csv", 1, "accepted with warnings", True, 3)]
    assert problems(workspace, "nhs_pwr/2024-03/RWE.csv") == [
        ("WARN", 1, "comments", "unknown extra column 'comments' ignored")
    ]


def test_resubmission_replaces_rows_and_keeps_every_version(workspace):
    workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE", rows=3))
    ingest()
    workspace.write("nhs_pwr/2024-03/RWE__v2.csv", csv_text("nhs_pwr", "2024-03", "RWE", rows=2))
    metadata = ingest()
    assert metadata["nhs_pwr"]["versions_superseded"].value == 1
    assert load_log(workspace, "nhs_pwr") == [
        ("nhs_pwr/2024-03/RWE.csv", 1, "accepted", False, 3),
        ("nhs_pwr/2024-03/RWE__v2.csv", 2, "accepted", True, 2),
    ]
    assert workspace.warehouse_query("select distinct file_version, count(*) from raw.nhs_pwr group by 1") == [(2, 2)]
    assert workspace.warehouse_query("select count(*) from history.nhs_pwr") == [(5,)]


def test_quarantined_resubmission_leaves_the_last_accepted_version_current_until_fixed(workspace):
    workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE", rows=3))
    ingest()
    workspace.write("nhs_pwr/2024-03/RWE__v2.csv", csv_text("nhs_pwr", "2024-03", "RWE").replace(",12,", ",x,", 1))
    ingest()
    assert workspace.warehouse_query("select distinct file_version from raw.nhs_pwr") == [(1,)]
    workspace.write("nhs_pwr/2024-03/RWE__v3.csv", csv_text("nhs_pwr", "2024-03", "RWE", rows=2))
    ingest()
    assert workspace.warehouse_query("select distinct file_version from raw.nhs_pwr") == [(3,)]
    (released,) = workspace.warehouse_query(
        "select count(*) from audit.quarantine where file_name like '%RWE__v2.csv' and released_at is not null"
    )[0]
    assert released == 1


def test_loading_the_same_files_again_changes_nothing(every_source):
    ingest()
    before = every_source.warehouse_query("select source, count(*) from audit.load_log group by 1 order by 1")
    raw_before = every_source.warehouse_query("select count(*), sum(substantive_fte) from raw.nhs_pwr")
    metadata = ingest()
    assert all(m["files_read"].value == 0 for m in metadata.values() if "files_read" in m)
    assert every_source.warehouse_query("select source, count(*) from audit.load_log group by 1 order by 1") == before
    assert every_source.warehouse_query("select count(*), sum(substantive_fte) from raw.nhs_pwr") == raw_before


def test_same_file_name_with_new_content_is_the_next_version(workspace):
    path = workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE", rows=3))
    ingest()
    path.write_text(csv_text("nhs_pwr", "2024-03", "RWE", rows=1))
    ingest()
    log = load_log(workspace, "nhs_pwr")
    assert [(status, current, rows) for _, _, status, current, rows in log] == [
        ("accepted", False, 3),
        ("accepted with warnings", True, 1),
    ]
    assert "different content" in problems(workspace, "nhs_pwr/2024-03/RWE.csv")[0][3]
    assert workspace.warehouse_query("select count(*) from raw.nhs_pwr") == [(1,)]


def test_forced_reload_parses_only_the_chosen_period(workspace):
    workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE"))
    workspace.write("nhs_pwr/2024-04/RWE.csv", csv_text("nhs_pwr", "2024-04", "RWE"))
    ingest()
    metadata = ingest(force=["nhs_pwr:2024-04"])
    assert metadata["nhs_pwr"]["files_read"].value == 1
    assert metadata["nhs_esr_staff"]["files_read"].value == 0
    periods = workspace.warehouse_query(
        "select period, count(*), sum(case when is_current then 1 else 0 end) from audit.load_log "
        "where source = 'nhs_pwr' group by 1 order by 1"
    )
    assert periods == [("2024-03", 1, 1), ("2024-04", 2, 1)]
    assert workspace.warehouse_query("select return_period, count(*) from raw.nhs_pwr group by 1 order by 1") == [
        ("2024-03", 3),
        ("2024-04", 3),
    ]
    assert ingest(force=["*:2024-03"])["nhs_pwr"]["files_read"].value == 1


NI_SHAPE = re.compile(r"^[A-Za-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d]?$")


def test_no_personal_identifier_reaches_the_warehouse(every_source):
    every_source.write(
        "asc_wds_workers/2024-04/extract.csv",
        csv_text("asc_wds_workers", "2024-04", "RWE").replace("E1000", "W-777"),
    )
    ingest()
    raw_identifiers = {*NI_NUMBERS, "E1000", "E1001", "E1002", "E1000-1", "W-777", "someone@example.org"}
    import duckdb

    with duckdb.connect(str(every_source.warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            values = {v for (v,) in con.execute(f'select distinct "{column}" from {schema}."{table}"').fetchall()}
            assert not {v for v in values if v and NI_SHAPE.match(v)}, (schema, table, column)
            assert not (values & raw_identifiers), (schema, table, column, values & raw_identifiers)
        # One person, one key: the same NI number written differently in NHS and ASC returns.
        keys = con.execute(
            "select person_key from raw.nhs_esr_staff where source_row in (2, 3) "
            "union all select person_key from raw.asc_wds_workers where return_period = '2024-03' "
            "and source_row in (2, 3)"
        ).fetchall()
        assert len({k for (k,) in keys}) == 1 and len(keys) == 4


def test_symlink_out_of_the_landing_folder_is_not_read(workspace, tmp_path):
    secret = tmp_path / "outside.csv"
    secret.write_text(csv_text("nhs_pwr", "2024-03", "RWE"))
    (workspace.landing / "nhs_pwr" / "2024-03").mkdir(parents=True)
    (workspace.landing / "nhs_pwr" / "2024-03" / "RWE.csv").symlink_to(secret)
    ingest()
    assert workspace.warehouse_query("select count(*) from raw.nhs_pwr") == [(0,)]
    assert "link" in problems(workspace, "nhs_pwr/2024-03/RWE.csv")[0][3]
    shutil.rmtree(workspace.landing / "nhs_pwr")


def test_an_empty_identifying_value_holds_the_return_back_instead_of_blocking_publication(workspace):
    """An empty key would fail dbt's not_null tests and stop every partner's marts: it is an ERROR here."""
    lines = csv_text("nhs_staff_survey", "2024", "RWE").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("measure")] = ""
    lines[2] = ",".join(cells)
    workspace.write("nhs_staff_survey/2024/RWE.csv", "\n".join(lines) + "\n")
    workspace.write("nhs_staff_survey/2024/RT5.csv", csv_text("nhs_staff_survey", "2024", "RT5"))
    ingest()
    severity, row, column, reason = problems(workspace, "nhs_staff_survey/2024/RWE.csv")[0]
    assert (severity, row, column) == ("ERROR", 3, "measure") and "empty" in reason
    assert workspace.warehouse_query("select distinct submitter from raw.nhs_staff_survey") == [("RT5",)]
