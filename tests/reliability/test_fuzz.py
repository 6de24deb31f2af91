"""Bad input: 525 seeded corruptions of valid returns of every source (plus one 200,000-row return), landed in
five batches, one real refresh per batch. The refresh never fails; each bad return gets the outcome of
returns.md's problem table with the file, row and column named; every other return loads; nothing is lost.

The whole workspace lives under a folder whose name holds a quote, a semicolon and SQL, so every path the
refresh builds (ingestion, dbt-duckdb's profile, the publication's ATTACH) is exercised with it; a sixth of
the cases also put SQL and quotes in file names and cell values.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.reliability.fuzz import TEMPLATES, Case, Mutator, big_sickness_file
from tests.reliability.helpers import DEMO, assert_ingest_consistent

SEED = 20_251_125
BATCHES = 5
CASES_PER_BATCH = 105
HOSTILE_FOLDER = "it's; drop table audit.load_log; --"


@dataclass
class Fuzzed:
    landing: Path
    warehouse: Path
    marts: Path
    cases: list[Case]
    run_ids: list[str]
    successes: list[bool]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Fuzzed:
    from orchestration.refresh import run_refresh

    root = tmp_path_factory.mktemp("fuzz") / HOSTILE_FOLDER
    landing, warehouse, marts = root / "landing", root / "warehouse" / "warehouse.duckdb", root / "marts.duckdb"
    for base in ("ics_partners/2024-03/ics.csv", "ods_trusts/2023-01/etr.csv"):
        (landing / base).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEMO / base, landing / base)
    mutator = Mutator(SEED)
    kinds = list(TEMPLATES)
    cases: list[Case] = []
    run_ids, successes = [], []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WF_LANDING_DIR", str(landing))
        patch.setenv("WF_WAREHOUSE", str(warehouse))
        patch.setenv("WF_MARTS", str(marts))
        patch.delenv("DAGSTER_HOME", raising=False)
        patch.delenv("WF_ENV", raising=False)
        for batch in range(BATCHES):
            batch_cases = []
            for number in range(batch * CASES_PER_BATCH, (batch + 1) * CASES_PER_BATCH):
                kind = kinds[number % len(kinds)]
                mutations = sorted(mutator._mutations(kind))
                batch_cases.append(mutator.case(number, kind, mutations[(number // len(kinds)) % len(mutations)]))
            if batch == BATCHES - 1:
                batch_cases.append(big_sickness_file())
            for case in batch_cases:
                path = landing / case.file_name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(case.data)
            cases += batch_cases
            result = run_refresh([])
            run_ids.append(result.run_id)
            successes.append(result.success)
    return Fuzzed(landing, warehouse, marts, cases, run_ids, successes)


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_refresh_succeeds_and_publishes(fuzzed: Fuzzed):
    assert fuzzed.successes == [True] * BATCHES
    assert _query(fuzzed.marts, "select refresh_id from refresh_log") == [(fuzzed.run_ids[-1],)]
    assert len(fuzzed.cases) >= 500


def test_each_return_gets_the_outcome_of_the_problem_table(fuzzed: Fuzzed):
    log = {
        name: (load_id, status, rows)
        for load_id, name, status, rows in _query(
            fuzzed.warehouse, "select load_id, file_name, status, rows from audit.load_log"
        )
    }
    problems: dict[int, list[tuple]] = {}
    for load_id, row, column, reason, severity in _query(
        fuzzed.warehouse, "select load_id, row_number, column_name, reason, severity from audit.quarantine"
    ):
        problems.setdefault(load_id, []).append((row, column, reason, severity))
    wrong, outcomes = [], Counter()
    for case in fuzzed.cases:
        load_id, status, rows = log[case.file_name]
        errors = [p for p in problems.get(load_id, []) if p[3] == "ERROR"]
        quarantined = status == "quarantined"
        outcomes[(case.expect, "quarantined" if quarantined else "loaded")] += 1
        if case.expect == "ERROR":
            named = [
                p
                for p in errors
                if (case.row is None or p[0] == case.row) and (case.column is None or p[1] == case.column)
            ]
            if not quarantined or not named or not all(p[2] for p in errors):
                wrong.append((case.file_name, case.mutation, "expected ERROR", case.row, case.column, status, errors))
        elif case.expect == "LOADS":
            if quarantined or rows != case.rows:
                wrong.append((case.file_name, case.mutation, "expected to load", case.rows, status, rows, errors))
        elif quarantined and not any(p[1] for p in errors):
            wrong.append((case.file_name, case.mutation, "quarantined without naming a column", status, errors))
    print("\nFUZZ FIGURES", json.dumps({f"{e} -> {o}": n for (e, o), n in sorted(outcomes.items())}))
    print("FUZZ MUTATIONS", json.dumps(Counter(c.mutation for c in fuzzed.cases)))
    assert wrong == [], "\n".join(map(str, wrong[:25])) + f"\n({len(wrong)} cases wrong)"


def test_nothing_is_lost(fuzzed: Fuzzed):
    landed = {p.relative_to(fuzzed.landing).as_posix() for p in fuzzed.landing.rglob("*") if p.is_file()}
    logged = [r[0] for r in _query(fuzzed.warehouse, "select file_name from audit.load_log")]
    assert sorted(logged) == sorted(landed)  # every file seen is logged, once
    assert {c.file_name for c in fuzzed.cases} <= landed
    figures = assert_ingest_consistent(fuzzed.warehouse)  # every parsable version whole in history.<table>
    assert figures["receipts"] >= 240  # 247 with this seed (misnamed files are not parsed), whole in history


def test_the_200000_row_return_loads_whole(fuzzed: Fuzzed):
    big = next(c for c in fuzzed.cases if c.mutation == "200000_rows")
    ((load_id, status, rows),) = _query(
        fuzzed.warehouse, "select load_id, status, rows from audit.load_log where file_name = ?", [big.file_name]
    )
    assert status != "quarantined" and rows == 200_000
    assert _query(fuzzed.warehouse, "select count(*) from raw.nhs_published_sickness where load_id = ?", [load_id]) == [
        (200_000,)
    ]
