"""Every relation dbt creates must fit PostgreSQL's identifier limit (63 bytes, NAMEDATALEN - 1).

PostgreSQL silently truncates a longer identifier in SQL, but dbt-postgres refuses to build the relation
(`Relation name ... is longer than 63 characters`). Unit tests create a table named after the test itself, so
their names count too; models, seeds and snapshots by their alias; generic tests by their alias (dbt shortens
those with a hash itself, checked here so a custom test config cannot undo it). Columns declared in YAML are
checked as well: PostgreSQL would truncate them and the contract would no longer match.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PG_MAX_IDENTIFIER = 63


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict:
    return json.loads(dbt_manifest.read_text())


def relation_names(manifest: dict) -> dict[str, str]:
    """unique_id -> the identifier dbt gives the node's relation."""
    names = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] in ("model", "seed", "snapshot", "test"):
            names[uid] = node.get("alias") or node["name"]
    for uid, node in manifest.get("unit_tests", {}).items():
        names[uid] = node["name"]
    return names


def too_long(names: dict[str, str]) -> dict[str, str]:
    return {uid: name for uid, name in names.items() if len(name.encode()) > PG_MAX_IDENTIFIER}


def test_the_check_catches_a_long_name():
    names = {"unit_test.x.m.ok": "a" * 63, "unit_test.x.m.long": "b" * 64, "model.x.accent": "é" * 32}
    assert too_long(names) == {"unit_test.x.m.long": "b" * 64, "model.x.accent": "é" * 32}


def test_manifest_holds_unit_tests_and_models(manifest: dict):
    names = relation_names(manifest)
    kinds = {uid.split(".")[0] for uid in names}
    assert {"model", "seed", "test", "unit_test"} <= kinds


def test_no_relation_name_over_postgres_limit(manifest: dict):
    assert too_long(relation_names(manifest)) == {}


def test_no_declared_column_over_postgres_limit(manifest: dict):
    long_columns = [
        f"{uid}.{column}"
        for uid, node in manifest["nodes"].items()
        for column in node.get("columns") or {}
        if len(column.encode()) > PG_MAX_IDENTIFIER
    ]
    assert long_columns == []


# Contract types: the YAML speaks DuckDB; macros/postgres_compat.sql translates the names PostgreSQL lacks.
POSTGRES_TYPES = {
    "varchar", "text", "bigint", "integer", "smallint", "double precision", "real", "numeric",
    "date", "timestamp", "timestamptz", "boolean", "bytea", "interval", "json", "uuid",
}  # fmt: skip


def postgres_aliases() -> set[str]:
    macro = (Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "postgres_compat.sql").read_text()
    block = macro.split("set aliases = {", 1)[1].split("}", 1)[0]
    return set(re.findall(r"'([a-z0-9 ]+)':", block))


def test_the_translation_covers_double():
    assert {"double", "hugeint", "string"} <= postgres_aliases()


def test_every_contract_and_seed_type_is_known_to_postgres(manifest: dict):
    declared = {
        (column.get("data_type") or "").strip().lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column in (node.get("columns") or {}).values()
    } - {""}
    seeded = {
        str(data_type).strip().lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "seed"
        for data_type in (node["config"].get("column_types") or {}).values()
    }
    assert "varchar" in seeded
    declared |= seeded
    assert "double" in declared  # the marts' rates: the case the translation exists for
    assert declared - POSTGRES_TYPES - postgres_aliases() == set()
