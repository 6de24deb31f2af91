"""What a workforce lead sees in the Dagster UI: every asset described in plain English, owned, grouped
and kinded; dbt column docs as column schema; the job, schedule and sensor; lineage joined up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import AssetKey

# architecture.md's groups, plus `benchmarks` (NHS England's national files kept as published).
GROUPS = {
    "nhs_returns",
    "asc_returns",
    "vcse_returns",
    "reference",
    "benchmarks",
    "staging",
    "intermediate",
    "marts",
    "published",
}


@pytest.fixture(scope="module")
def defs(dbt_manifest: Path):
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def graph(defs):
    return defs.resolve_asset_graph()


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict:
    return json.loads(dbt_manifest.read_text())


def all_nodes(graph):
    return [graph.get(key) for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())]


def test_every_asset_has_a_plain_english_description(graph):
    missing = []
    for node in all_nodes(graph):
        text = (node.description or "").strip()
        name = node.key.path[-1]
        # dagster-dbt's fallback when the YAML has no description is "dbt model <name>" / "dbt seed <name>".
        if len(text) < 30 or text.startswith(("dbt model ", "dbt seed ", "dbt snapshot ")) or "#### Raw SQL" in text:
            missing.append(f"{node.key.to_user_string()}: {text[:60]!r}")
        assert name, node.key
    assert not missing, "assets without a plain-English description (add one to the model's YAML):\n" + "\n".join(
        missing
    )


def test_every_asset_has_owner_group_and_kinds(graph):
    problems = []
    for node in all_nodes(graph):
        key = node.key.to_user_string()
        if not node.owners or not all(o.startswith("team:") or "@" in o for o in node.owners):
            problems.append(f"{key}: owners {node.owners}")
        if node.group_name not in GROUPS:
            problems.append(f"{key}: group {node.group_name!r}")
        if not node.kinds:
            problems.append(f"{key}: no kinds")
    assert not problems, "\n".join(problems)


def test_groups_follow_the_layers(graph):
    by_layer = {
        "raw": {"nhs_returns", "asc_returns", "vcse_returns", "reference", "benchmarks"},
        "staging": {"staging"},
        "intermediate": {"intermediate"},
        "marts": {"marts"},
        "published": {"published"},
    }
    for node in all_nodes(graph):
        layer = node.key.path[0]
        if layer in by_layer:
            assert node.group_name in by_layer[layer], (node.key.to_user_string(), node.group_name)
    assert graph.get(AssetKey(["raw", "nhs_pwr"])).group_name == "nhs_returns"
    assert graph.get(AssetKey(["raw", "vcse_returns"])).group_name == "vcse_returns"
    assert graph.get(AssetKey(["published", "marts"])).group_name == "published"
    assert {"dbt", "duckdb"} <= set(graph.get(AssetKey(["marts", "mart_vacancy"])).kinds)
    assert "excel" in graph.get(AssetKey(["raw", "vcse_returns"])).kinds


def test_dbt_descriptions_and_column_docs_come_from_the_yaml(graph, manifest):
    """Every documented dbt column shows in the UI's column schema with its description and type."""
    from orchestration.dbt import placeholders_as_code

    checked = 0
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed") or node["package_name"] != "workforce":
            continue
        key = AssetKey([node["fqn"][1] if node["resource_type"] == "model" else "reference", node["name"]])
        asset = graph.get(key)
        if node.get("description"):
            # placeholders such as <file> shown as code, not taken for HTML (orchestration/dbt.py)
            assert asset.description.startswith(placeholders_as_code(node["description"].strip())), key
            assert "Raw SQL" not in asset.description
        documented = {name: col for name, col in node["columns"].items() if col.get("description")}
        if not documented:
            continue
        schema = asset.metadata["dagster/column_schema"]
        schema = getattr(schema, "schema", schema)  # TableSchema, or its metadata-value wrapper
        shown = {c.name: c for c in schema.columns}
        for name, col in documented.items():
            assert name in shown, (key, name)
            assert shown[name].description == col["description"], (key, name)
            if col.get("data_type"):
                assert shown[name].type == col["data_type"], (key, name)
            checked += 1
    assert checked >= 20, f"only {checked} documented columns found; mart_vacancy alone documents more"


def test_code_references_point_at_the_model_files(graph):
    refs = graph.get(AssetKey(["marts", "mart_vacancy"])).metadata["dagster/code_references"].code_references
    assert [Path(r.file_path).name for r in refs] == ["mart_vacancy.sql"]
    assert Path(refs[0].file_path).exists()


def test_lineage_joins_ingestion_dbt_and_publication(graph):
    raw_pwr = AssetKey(["raw", "nhs_pwr"])
    staging = AssetKey(["staging", "stg_nhs_pwr__staff_groups"])
    mart = AssetKey(["marts", "mart_vacancy"])
    published = AssetKey(["published", "marts"])
    assert raw_pwr in graph.get(staging).parent_keys
    assert mart in graph.get(published).parent_keys
    upstream = set()
    frontier = {mart}
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                frontier.add(parent)
    assert {raw_pwr, staging} <= upstream
    # every raw table dbt reads is the ingestion asset itself (no dangling external source assets)
    for node in all_nodes(graph):
        assert node.is_materializable, f"{node.key.to_user_string()} is not produced by any asset"
    # every mart feeds the published file
    marts = {n.key for n in all_nodes(graph) if n.group_name == "marts"}
    assert marts and marts <= set(graph.get(published).parent_keys)


def test_dbt_tests_are_asset_checks(graph, manifest):
    from orchestration.check_names import with_readable_test_names

    manifest = with_readable_test_names(manifest)  # checks are named by their rule (orchestration/check_names.py)
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test" and n.get("attached_node", "") != ""]
    checks = {key.name for key in graph.asset_check_keys}
    assert tests, "no dbt tests in the manifest"
    missing = [t["name"] for t in tests if t["attached_node"].startswith("model.") and t["name"] not in checks]
    assert not missing, missing


def test_job_schedule_and_sensor(defs, graph):
    job = defs.resolve_job_def("refresh")
    assert job.description and "publish" in job.description
    assert set(job.asset_layer.selected_asset_keys) == set(graph.get_all_asset_keys())
    schedule = defs.get_schedule_def("monthly_refresh")
    assert schedule.job_name == "refresh"
    assert schedule.cron_schedule == "0 6 5 * *"
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.description
    sensor = defs.get_sensor_def("landing_sensor")
    assert sensor.job_name == "refresh"
    assert sensor.description
