"""The value rules of returns.md (issues 17 and 18) at ingestion, on the hazard generator's values
(simulator/hazards/values.py): formula-like text, NI numbers written another way or of another shape, dates
before 1940, a vacancy started before its approval, future starters and recruitment stages out of order.

The unit tests check the rules on every generated value; one real ingestion (real DuckDB and Great
Expectations, the committed suites) of a cut of the demo returns with the generated resubmissions beside them
checks each file's outcome, row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.ingestion.checks import (
    EARLIEST_DATE,
    check_ni_numbers,
    check_values,
    formula_like,
    text_columns,
)
from orchestration.ingestion.load import ingest_source
from orchestration.ingestion.pseudonymise import normalise_ni, pseudonymise
from orchestration.ingestion.schema import ensure_schema, tables_of
from orchestration.ingestion.sources import SOURCES, SOURCES_BY_NAME
from orchestration.quality.gate import QualityGate
from simulator.hazards import values as hazards
from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "seeds" / "returns"
CUT = (
    "ics_partners/2024-03",
    "nhs_esr_staff/2024-01",
    "nhs_recruitment/2024-01",
    "nhs_pwr/2024-01",
    "asc_wds_workers/2024-01",
    "asc_wds_establishments/2024-01",
    "cqc_ratings/2024-01",
    "nhs_published_sickness/2024-04",
)


def test_formula_like_text_is_every_generated_payload_and_no_lookalike():
    assert formula_like(pd.Series(hazards.FORMULA_PAYLOADS)).all()
    assert not formula_like(pd.Series([*hazards.PLAIN_LOOKALIKES, None])).any()


def test_every_text_column_that_reaches_the_warehouse_is_checked_identifiers_and_register_included():
    checked = {(table, c) for s in SOURCES for table in tables_of(s) for c in text_columns(s, table)}
    for source in SOURCES:
        for table, columns in tables_of(source).items():
            for column in columns:
                if column.type == "text" and not column.personal:
                    assert (table, column.name) in checked
    # identifiers, the partner register's names, the VCSE About sheet and the national files (kept as published,
    # checked like any return: docs/decisions.md)
    for pair in (
        ("ics_partners", "org_name"),
        ("ics_partners", "org_code"),
        ("nhs_recruitment", "vacancy_reference"),
        ("asc_wds_workers", "establishment_id"),
        ("vcse_returns", "organisation_name"),
        ("nhs_published_sickness", "org_name"),
        ("ods_trusts", "org_name"),
    ):
        assert pair in checked, pair
    # personal identifiers are hashed before anything is written, so their text never reaches an output
    assert ("nhs_esr_staff", "ni_number") not in checked


def test_every_spelling_of_one_ni_number_is_one_person_key_and_other_shapes_are_warned_without_the_number():
    spellings = hazards.ni_spellings()
    assert {normalise_ni(s) for s in spellings} == {hazards.NI}
    source = SOURCES_BY_NAME["nhs_esr_staff"]
    frame = pd.DataFrame({"source_row": range(2, 2 + len(spellings)), "ni_number": spellings}).assign(
        org_code="RWE", employee_number=[f"E{i}" for i in range(len(spellings))]
    )
    keys = pseudonymise(frame, source, b"k")["person_key"]
    assert keys.nunique() == 1 and keys.notna().all()
    assert check_ni_numbers(frame, source) == []
    bad = pd.DataFrame({"source_row": [2, 3, 4, 5, 6, 7], "ni_number": [hazards.NI, *hazards.MALFORMED_NI]}).assign(
        org_code="RWE", employee_number=None
    )
    (problem,) = check_ni_numbers(bad, source)
    assert (problem.severity, problem.row_number, problem.column_name) == ("WARN", 3, "ni_number")
    assert "(4 more rows like it)" in problem.reason
    assert not any(value.lower() in problem.reason.lower() for value in hazards.MALFORMED_NI if value != "N/A")
    # keyed as it stands (normalised), so the same malformed value is still one person
    assert pseudonymise(bad, source, b"k")["person_key"].notna().all()


def _receipt(source_name: str, frame: pd.DataFrame):
    from orchestration.ingestion.landing import LandedFile
    from orchestration.ingestion.receipt import Receipt

    file = LandedFile(source_name, "2024-03", "RWE", 1, "csv", f"{source_name}/2024-03/RWE.csv", Path("x"))
    rows = frame.assign(source_row=range(2, 2 + len(frame)), period="2024-03")
    return Receipt(file, "", 1, tables={source_name: rows})


@pytest.mark.parametrize(
    ("dates", "warned"),
    [
        (["2024-01-01", "2024-01-10", "2024-02-01", "2024-02-20", "2024-03-04"], None),
        (["2024-01-01", "2024-02-10", "2024-01-31", "2024-02-20", "2024-03-04"], "offer_date"),
        (["2024-01-01", "", "2023-12-31", "", "2024-03-04"], "offer_date"),  # the previous present stage
        (["2024-01-01", "2024-02-10", "", "2024-02-01", "2024-03-04"], "checks_complete_date"),
        (["2024-01-05", "2024-01-01", "2024-02-01", "2024-02-20", "2024-03-04"], "advert_date"),
        (["2024-01-01", "", "", "", ""], None),
    ],
)
def test_recruitment_stages_out_of_order_are_one_warning_on_the_first_stage_that_breaks_the_chain(dates, warned):
    source = SOURCES_BY_NAME["nhs_recruitment"]
    row = dict(zip(hazards.STAGES, dates, strict=True))
    receipt = _receipt("nhs_recruitment", pd.DataFrame([row]))
    check_values(source, [receipt])
    warnings = [(p.severity, p.column_name, p.row_number) for p in receipt.problems]
    assert warnings == ([("WARN", warned, 2)] if warned else [])


def test_a_date_before_1940_is_an_error_in_any_date_column_and_1940_is_not():
    source = SOURCES_BY_NAME["nhs_esr_staff"]
    for old in hazards.OLD_DATES:
        receipt = _receipt("nhs_esr_staff", pd.DataFrame({"nhs_start_date": [EARLIEST_DATE, old]}))
        check_values(source, [receipt])
        assert [(p.severity, p.column_name, p.row_number) for p in receipt.problems] == [("ERROR", "nhs_start_date", 3)]
        assert old in receipt.problems[0].reason and "1940" in receipt.problems[0].reason


@pytest.fixture(scope="module")
def hazard_landing(tmp_path_factory) -> tuple[Path, list[hazards.Expected]]:
    root = tmp_path_factory.mktemp("value_hazards")
    landing = root / "landing"
    for folder in CUT:
        shutil.copytree(DEMO / folder, landing / folder)
    expected = hazards.write_value_hazards(landing, seed=17)
    database = root / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        for source in SOURCES:
            ingest_source(con, source, landing, b"hazard-key", "values", validators=(QualityGate("values"),))
    return database, expected


def test_the_generator_writes_every_value_hazard_class(hazard_landing):
    _, expected = hazard_landing
    kinds = {e.kind for e in expected}
    assert kinds == {
        "formula-like text",
        "date before 1940",
        "start date after the period",
        "stages out of order",
        "start before approval",
        "NI numbers respelt",
        "NI number of another shape",
    }
    assert len([e for e in expected if e.kind == "formula-like text"]) == 8


def test_each_hazard_file_gets_its_outcome_with_row_and_column(hazard_landing):
    database, expected = hazard_landing
    with duckdb.connect(str(database), read_only=True) as con:
        for hazard in expected:
            (status, load_id), *_ = con.execute(
                "select status, load_id from audit.load_log where file_name = ?", [hazard.path]
            ).fetchall()
            problems = con.execute(
                "select severity, column_name, row_number, reason from audit.quarantine where load_id = ?", [load_id]
            ).fetchall()
            if hazard.status == "quarantined":
                assert status == "quarantined", (hazard, problems)
            else:
                assert status != "quarantined", (hazard, problems)
            if hazard.severity:
                named = [p for p in problems if (p[0], p[1]) == (hazard.severity, hazard.column)]
                assert named and named[0][2] is not None and named[0][2] >= 2, (hazard, problems)
            else:  # respelt NI numbers: nothing to report about them
                assert not [p for p in problems if p[1] == "ni_number"], (hazard, problems)


def test_respelt_ni_numbers_key_the_same_people_as_the_original_return(hazard_landing):
    database, expected = hazard_landing
    with duckdb.connect(str(database), read_only=True) as con:
        for hazard in (e for e in expected if e.kind == "NI numbers respelt"):
            source = hazard.path.split("/")[0]
            original = hazard.path.split("__v")[0] + ".csv"
            keys = con.execute(
                f"select l.file_name, list(h.person_key order by h.source_row) from history.{source} as h "
                "join audit.load_log as l using (load_id) where l.file_name in (?, ?) group by all",
                [original, hazard.path],
            ).fetchall()
            assert len(keys) == 2 and keys[0][1] == keys[1][1], hazard


@pytest.mark.parametrize(
    ("line", "row"),
    [
        ('"QK1,"NHS Leicester, Leicestershire ICB",NHS,ICB,,2023-01-01,,', 2),  # text after a closing quote
        ('"RWE,Hospitals,NHS,Acute trust,,2023-01-01,,', 2),  # never closed: runs to the end
    ],
)
def test_a_stray_quote_is_an_error_naming_its_row(line, row):
    """pyarrow's CSV reader is lenient: without this rule the first line loaded with org_code 'QK1,NHS Leicester'."""
    from orchestration.ingestion.readers import ReturnRejected, parse_return
    from orchestration.ingestion.sources import SOURCES_BY_NAME

    header = "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns"
    text = f"{header}\n{line}\nRX9,Trust,NHS,Acute trust,,2023-01-01,,\n"
    with pytest.raises(ReturnRejected) as rejected:
        parse_return(text.encode(), SOURCES_BY_NAME["ics_partners"], "csv")
    problem = rejected.value.problem
    assert (problem.severity, problem.row_number) == ("ERROR", row)
    assert "quote" in problem.reason
    assert (
        len(
            parse_return(
                f'{header}\n"A ""quoted"" name",x,NHS,t,,2023-01-01,,\n'.encode(),
                SOURCES_BY_NAME["ics_partners"],
                "csv",
            ).frame
        )
        == 1
    )  # a doubled quote is fine
