"""Issue #19: a trust writing NHS England's main staff groups (any case, '&' or 'and') gets its professions;
a return in a vocabulary the warehouse does not know still loads whole, with its warning, its rows under
'Unknown', and the unknown share (mart_return_status and the refresh summary) naming the values.

One real refresh (ingestion, GX, dbt, publication) of a hand-written landing folder of two ESR returns."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.refresh import unknown_share_lines
from tests.conftest import refresh_into
from tests.quality.test_rules import ESR, REGISTER, esr

KNOWN = {  # NHS England's vocabulary as a second ICS wrote it -> the profession the crosswalk gives
    "NURSES AND HEALTH VISITORS": "Nursing and midwifery",
    "hchs doctors": "Medical and dental",
    '"Scientific, therapeutic and technical staff"': "Allied health and scientific",
    '" Support to doctors,  nurses&midwives "': "Care and support workers",
    "Central Functions": "Admin and estates",
    "Managers": "Managers",
}
# A vocabulary the warehouse does not know; one row is saved by its occupation code, one has nothing.
UNKNOWN = [
    ("Registered nursing", ""),
    ("Registered nursing", ""),
    ("Docs", ""),
    ("Registered nursing", "n0a"),
    ("", ""),
]


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    root = tmp_path_factory.mktemp("vocabulary")
    landing = root / "returns"
    files = {
        "ics_partners/2024-01/ics.csv": [
            REGISTER,
            "RWE,Leicester,NHS,Acute trust,,2020-01-01,,nhs_esr_staff",
            "RT5,Partnership,NHS,Mental health trust,,2020-01-01,,nhs_esr_staff",
        ],
        "nhs_esr_staff/2024-01/RWE.csv": [
            ESR,
            *(esr("RWE", "2024-01", f"{100 + i}-1", staff_group=g) for i, g in enumerate(KNOWN)),
        ],
        "nhs_esr_staff/2024-01/RT5.csv": [
            ESR,
            *(
                esr("RT5", "2024-01", f"{200 + i}-1", staff_group=g, occupation_code=code)
                for i, (g, code) in enumerate(UNKNOWN)
            ),
        ],
    }
    for path, lines in files.items():
        (landing / path).parent.mkdir(parents=True, exist_ok=True)
        (landing / path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return refresh_into(landing, root)


def test_nhs_england_vocabulary_in_any_spelling_maps_to_professions(space):
    professions = dict(
        space.warehouse_query(
            "select profession, count(*) from intermediate.int_staff_in_post where org_code = 'RWE' group by all"
        )
    )
    assert professions == {p: 1 for p in KNOWN.values()}
    problems = space.warehouse_query(
        "select q.column_name from audit.quarantine as q join audit.load_log as l using (load_id) "
        "where l.submitter = 'RWE' and l.source = 'nhs_esr_staff'"
    )
    assert ("staff_group",) not in problems  # every spelling is in the crosswalk: no warning
    status = space.marts_query(
        "select unknown_rows, unknown_share, unknown_values from mart_return_status "
        "where org_code = 'RWE' and source = 'nhs_esr_staff'"
    )
    assert status == [(0, 0.0, None)]


def test_unknown_vocabulary_loads_whole_with_its_warning_and_share(space):
    loaded = space.warehouse_query(
        "select status, rows from audit.load_log where submitter = 'RT5' and source = 'nhs_esr_staff'"
    )
    assert loaded == [("accepted with warnings", 5)]
    assert space.warehouse_query("select count(*) from raw.nhs_esr_staff where org_code = 'RT5'") == [(5,)]
    warnings = space.warehouse_query(
        "select q.severity, q.column_name, q.reason from audit.quarantine as q join audit.load_log as l "
        "using (load_id) where l.submitter = 'RT5' and q.column_name = 'staff_group'"
    )
    assert warnings and all(severity == "WARN" for severity, _, _ in warnings)
    assert any("'Registered nursing'" in reason and "not in the crosswalk" in reason for _, _, reason in warnings)
    # nothing dropped: every person is in staff in post, the unknown ones under Unknown
    professions = dict(
        space.warehouse_query(
            "select profession, count(distinct person_key) from intermediate.int_staff_in_post "
            "where org_code = 'RT5' group by all"
        )
    )
    assert professions == {"Unknown": 4, "Nursing and midwifery": 1}
    status = space.marts_query(
        "select status, rows, unknown_rows, unknown_share, unknown_values from mart_return_status "
        "where org_code = 'RT5' and source = 'nhs_esr_staff'"
    )
    assert status == [
        (
            "accepted with warnings",
            5,
            4,
            pytest.approx(0.8),
            "staff_group 'Docs', staff_group 'Registered nursing', staff_group (empty)",
        )
    ]
    with duckdb.connect(str(space.marts), read_only=True) as con:
        lines = unknown_share_lines(con)
    assert lines[0].endswith(": 1")
    assert lines[1].startswith("  WARN nhs_esr_staff RT5 2024-01: 80% of rows (4) Unknown")
    assert "'Registered nursing'" in lines[1] and "'Docs'" in lines[1]
