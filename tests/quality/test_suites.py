"""The GX suites in expectations/ are the reviewed files ingestion runs: they must equal what
orchestration/quality/rules.py generates from the contract (run `python -m orchestration.quality.rules`)."""

from __future__ import annotations

from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import SOURCES
from orchestration.quality.rules import EXPECTATIONS_DIR, build_suites, crosswalk_parameters, suite_text


def test_committed_suites_match_the_contract():
    suites = build_suites()
    assert set(suites) == {t for s in SOURCES for t in tables_of(s)}
    for table, suite in suites.items():
        assert (EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8") == suite_text(suite), table


def test_every_allowed_list_of_the_contract_is_an_error_and_every_crosswalk_a_warning():
    suites = build_suites()
    for source in SOURCES:
        for table, columns in tables_of(source).items():
            in_set = {
                e["kwargs"]["column"]: e["severity"]
                for e in suites[table]["expectations"]
                if e["type"] == "expect_column_values_to_be_in_set"
            }
            for column in columns:
                if column.allowed:
                    assert in_set[column.name] == "critical", (table, column.name)
    assert suites["nhs_esr_leavers"]["expectations"] and any(
        e["kwargs"].get("value_set") == {"$PARAMETER": "leaving_reason_nhs"} and e["severity"] == "warning"
        for e in suites["nhs_esr_leavers"]["expectations"]
    )


def test_crosswalk_parameters_come_from_the_seeds():
    parameters = crosswalk_parameters()
    assert "Nursing and Midwifery Registered" in parameters["profession_nhs"]
    assert "Care Worker" in parameters["profession_asc"]
    assert "Care and support" in parameters["profession_vcse"]
    assert "Retirement Age" in parameters["leaving_reason_nhs"]
    assert "Care Worker" not in parameters["profession_nhs"]
