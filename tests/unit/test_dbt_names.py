"""Every relation dbt creates must fit PostgreSQL's identifier limit (63 bytes, NAMEDATALEN - 1).

PostgreSQL silently truncates a longer identifier in SQL, but dbt-postgres refuses to build the relation
(`Relation name ... is longer than 63 characters`). Unit tests create a table named after the test itself, so
their names count too; models, seeds and snapshots by their alias; generic tests by their alias (dbt shortens
those with a hash itself, checked here so a custom test config cannot undo it). Columns declared in YAML are
checked as well: PostgreSQL would truncate them and the contract would no longer match.
"""

from __future__ import annotations

import json
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
