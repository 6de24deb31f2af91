"""The blank return templates (templates/) are valid, header-only returns for the real readers, and stay in
step with the contract (SOURCES) and the crosswalks they are generated from."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from orchestration import templates
from orchestration.ingestion.readers import parse_return
from orchestration.ingestion.sources import CROSSWALKS, MEANINGS, SOURCES, SOURCES_BY_NAME

COMMITTED = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    assert templates.main(["--out", str(out)]) == 0
    return out


def test_committed_templates_equal_a_fresh_generation(generated: Path):
    fresh = {p.name: p.read_bytes() for p in generated.iterdir()}
    committed = {p.name: p.read_bytes() for p in COMMITTED.iterdir()}
    assert sorted(committed) == sorted(fresh), "run: python -m orchestration.templates --out templates/"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"templates/ is out of date ({stale}): run python -m orchestration.templates --out templates/"


def test_one_template_per_partner_source():
    names = {p.name for p in COMMITTED.iterdir()}
    for source in SOURCES:
        if source.file_format == "csv":
            assert f"{source.name}.csv" in names
        elif source.file_format == "vcse_workbook":
            assert {f"{source.name}.xlsx", f"{source.name}.csv"} <= names
        else:  # national files kept as published
            assert not any(n.startswith(source.name + ".") for n in names)
    assert "README.md" in names


@pytest.mark.parametrize("path", sorted(p for p in COMMITTED.iterdir() if p.suffix in (".csv", ".xlsx")), ids=str)
def test_each_template_is_a_valid_header_only_return(path: Path):
    source = SOURCES_BY_NAME[path.stem]
    parsed = parse_return(path.read_bytes(), source, path.suffix[1:])
    assert parsed.warnings == []
    assert len(parsed.frame) == 0
    assert list(parsed.frame.columns) == ["source_row", *source.column_names]
    if path.suffix == ".csv":
        # every field quoted, as safe_text.csv_text writes any CSV (OWASP)
        assert path.read_bytes() == (",".join(f'"{c}"' for c in source.column_names) + "\r\n").encode()


def test_vcse_workbook_sheets_and_role_category_list():
    source = SOURCES_BY_NAME["vcse_returns"]
    data = (COMMITTED / "vcse_returns.xlsx").read_bytes()
    parsed = parse_return(data, source, "xlsx")
    assert set(parsed.extra_frames) == {"vcse_leaving_reasons", "vcse_pulse"}
    for table, frame in parsed.extra_frames.items():
        assert len(frame) == 0
        assert list(frame.columns) == ["source_row", *(c.name for c in source.extra_tables[table])]
    assert set(parsed.about) == {"organisation_name", "charity_number", "quarter_end"}  # contact_email dropped
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["About", "Workforce", "Leaving reasons", "Pulse"]
    assert [c.value for c in book["About"]["A"]] == ["field", *templates.VCSE_ABOUT_FIELDS]
    (validation,) = book["Workforce"].data_validations.dataValidation
    assert validation.type == "list"
    assert str(validation.sqref).startswith("A2:A")
    assert validation.formula1 == '"Care and support,Counselling and therapy,Management and administration,Other"'


def test_every_column_has_a_meaning_and_no_meaning_is_stale():
    tables = {}
    for source in templates.template_sources():
        tables[source.name] = source.columns
        tables.update(source.extra_tables)
    wanted = {(table, c.name) for table, columns in tables.items() for c in columns}
    described = {(table, c.name) for table, columns in tables.items() for c in columns if c.note}
    missing = wanted - described - set(MEANINGS)
    assert not missing, f"columns without a meaning: give them a note in SOURCES or a MEANINGS entry: {missing}"
    assert not set(MEANINGS) - wanted, "meanings of columns that SOURCES no longer has"
    for table, columns in tables.items():
        for column in columns:
            assert templates.meaning(table, column), (table, column.name)
    assert set(CROSSWALKS) <= wanted
    for key in CROSSWALKS:
        assert templates.crosswalk_values(*key), f"no crosswalk values for {key}"


def test_guide_documents_every_column_and_allowed_value():
    guide = (COMMITTED / "README.md").read_text(encoding="utf-8")
    for source in templates.template_sources():
        assert f"## `{source.name}`" in guide
        for column in (*source.columns, *(c for cols in source.extra_tables.values() for c in cols)):
            assert f"| `{column.name}` |" in guide, (source.name, column.name)
            for value in column.allowed or ():
                assert f"`{value}`" in guide, (source.name, column.name, value)
    assert "<landing>/<source>/<period>/<submitter>[__v<N>].<ext>" in guide
    assert "`nhs_pwr/2024-03/RWE.csv`" in guide
    assert "`vcse_returns/2024-06/1012345.xlsx`" in guide
    assert "UTF-8" in guide and "__v<N+1>" in guide
    assert "`Nursing and Midwifery Registered`" in guide  # a crosswalk value of NHS staff_group
