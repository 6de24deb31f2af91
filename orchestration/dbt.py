"""The dbt project as Dagster assets: every model and seed an asset, every dbt test an asset check."""

import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetSpec, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.asset_utils import default_description_fn

from orchestration.check_names import check_description, readable_manifest
from orchestration.dbt_child import PARENT_VARIABLE
from orchestration.incremental import REBUILD_FROM, nothing_new, plan_build, record_watermark
from orchestration.publish import backfill_dated_copy, published_refresh_id, remove_leftovers
from orchestration.resources import PROJECT_ROOT, WarehouseResource, connect_warehouse

OWNER = "team:workforce-data"

# DBT_TARGET_PATH (dbt's own variable) lets concurrent test sessions keep separate manifests.
dbt_project = DbtProject(
    project_dir=PROJECT_ROOT / "dbt_project",
    profiles_dir=PROJECT_ROOT / "dbt_project",
    target_path=Path(os.environ.get("DBT_TARGET_PATH", "target")),
)


def placeholders_as_code(text: str) -> str:
    """The UI renders descriptions as Markdown: a `<file>` placeholder would be taken for an HTML tag and vanish,
    `__vN` would turn bold. Such words (outside code spans already) become code spans, so they show as written."""
    word = r"([^\s'\",;:()]*(?:<[A-Za-z_][^<>\s]*>|__v\w)[^\s'\",;:()]*)"
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(part if part.startswith("`") else re.sub(word, r"`\1`", part) for part in parts)


class WorkforceTranslator(DagsterDbtTranslator):
    """Groups by layer (the model's folder), one owner, kinds dbt + the engine; the YAML description
    (plain English for the UI, with the grain) instead of the raw SQL, which the code reference links to."""

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        description = (dbt_resource_props.get("description") or "").strip()
        if not description:  # "dbt model <name>": flagged by tests/unit/test_definitions.py
            return default_description_fn(dbt_resource_props, display_raw_sql=False)
        grain = (dbt_resource_props.get("config", {}).get("meta") or {}).get("grain")
        if grain and grain.lower() not in description.lower():
            description += f"\n\nGrain: {grain}."
        return placeholders_as_code(description)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") == "source":
            return spec
        layer = node.get("fqn", ["", "reference"])[1] if node.get("resource_type") == "model" else "reference"
        return spec.replace_attributes(group_name=layer, owners=[OWNER]).merge_attributes(kinds={"dbt", "duckdb"})

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """The check's description: the test's rule in a sentence (orchestration/check_names.py), not empty."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        description = check_description(manifest["nodes"][unique_id]) if spec else None
        return spec._replace(description=description) if description else spec


class DbtBuildConfig(Config):
    """full_refresh: rebuild every incremental model from all months (`refresh --full-refresh`)."""

    full_refresh: bool = False


@dbt_assets(
    manifest=readable_manifest(dbt_project.manifest_path),  # dbt tests' checks named in words (check_names.py)
    project=dbt_project,
    dagster_dbt_translator=WorkforceTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_code_references=True)
    ),
)
def dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
):
    """dbt build: staging views, intermediate and mart tables, seeds, and every dbt test. The month-grain
    incremental models rebuild only the months whose returns changed since the last successful build
    (orchestration/incremental.py); the watermark is recorded only once the build succeeded. Nothing new
    since the last build (and nothing forced): no dbt, no asset materialised (dbt's specs are skippable), so
    published_marts, downstream, is skipped too and the published file stays as it is."""
    settings = warehouse.settings()
    with connect_warehouse(settings) as con:
        plan = plan_build(con, dbt_project_manifest(), config.full_refresh)
        forced = warehouse.force_reload or warehouse.rekey
        unchanged = None if forced else nothing_new(con, plan, published_refresh_id(settings))
    if unchanged:
        context.log.info(unchanged)
        remove_leftovers(settings)  # what a publication killed after its swap left (the file in place is whole)
        backfill_dated_copy(settings)
        return
    context.log.info(f"dbt build {'full' if plan.full_refresh else 'from ' + str(plan.rebuild_from)}: {plan.reason}")
    # dbt-duckdb opens the file itself; give it the same absolute path ingestion wrote to.
    os.environ["WF_WAREHOUSE"] = str(settings.warehouse)
    os.environ[PARENT_VARIABLE] = str(os.getpid())  # wf-dbt ends with this process (orchestration/dbt_child.py)
    os.environ["WF_ENGINE"] = settings.engine
    os.environ.pop(REBUILD_FROM, None)  # a previous refresh's, in this process
    os.environ.update(plan.dbt_env())
    # dbt unit tests check the SQL, not the data: they run in `make test` (tests/dbt_models/test_dbt_unit_tests.py),
    # not in every refresh, where they cost more than the data tests.
    args = ["build", "--exclude-resource-type", "unit_test", *plan.dbt_args()]
    invocation = dbt.cli(args, context=context)
    yield from invocation.stream()  # raises when dbt fails: no watermark then
    with connect_warehouse(settings) as con:
        record_watermark(con, plan, context.run.run_id)
    keep_partial_parse(invocation.target_path)


PARTIAL_PARSE = "partial_parse.msgpack"


def keep_partial_parse(invocation_target: Path) -> None:
    """dagster-dbt starts each dbt call in a target folder of its own, seeded with
    <DBT_TARGET_PATH>/partial_parse.msgpack. That file came from `make bootstrap`'s `dbt parse`, under other
    settings (a relative WF_WAREHOUSE): dbt finds "profile has changed" and parses the whole project again, 4 s
    of every refresh (1.5 s from start to the first node with the file, 5.5 s without, at ics on 2026-12-07).
    The last build's own file, kept there, is valid for the next refresh under the same settings; dbt still
    reparses whatever changed (it compares the files' hashes)."""
    built = invocation_target / PARTIAL_PARSE
    if not built.exists():
        return
    current = Path(os.environ.get("DBT_TARGET_PATH", "target"))  # where dagster-dbt looks (dbt_cli_invocation.py)
    kept = (current if current.is_absolute() else Path(dbt_project.project_dir) / current) / PARTIAL_PARSE
    partial = kept.with_name(f".{PARTIAL_PARSE}.{os.getpid()}")
    shutil.copyfile(built, partial)
    os.replace(partial, kept)  # a reader sees the previous file or this one, whole


def dbt_project_manifest() -> dict:
    import json

    return json.loads(Path(dbt_project.manifest_path).read_text())


def dbt_resource() -> DbtCliResource:
    # The venv's own dbt, whether or not the venv is on PATH (stack.md), through wf-dbt so that it ends with
    # the refresh that started it (orchestration/dbt_child.py); plain dbt if the venv predates wf-dbt.
    tied, plain = Path(sys.executable).with_name("wf-dbt"), Path(sys.executable).with_name("dbt")
    executable = tied if tied.exists() else plain
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.profiles_dir),
        dbt_executable=str(executable) if executable.exists() else "dbt",
    )
