"""dbt tests as asset checks a workforce lead can read (README "The Dagster UI").

dbt names a generic test after its macro and arguments (`accepted_values_mart_system_kpis_basis__headcount__...`).
Dagster takes the check's name from the test node's `name` in the manifest, both when it defines the check and
when it reports dbt's result, so the names are rewritten once, in the manifest given to @dbt_assets: the rule
(what must hold) in words, snake_case as Dagster requires. A test's own `name:` or `meta: {check_name: ...}` in
its YAML wins. The check's description says the same in a sentence (WorkforceTranslator.get_asset_check_spec).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any


def _arguments(node: Mapping[str, Any]) -> dict:
    kwargs = (node.get("test_metadata") or {}).get("kwargs") or {}
    return {**kwargs, **(kwargs.get("arguments") or {})}


def _model(reference: str) -> str:
    """`ref('metric_definitions')` -> metric_definitions."""
    found = re.search(r"ref\(\s*['\"]([^'\"]+)['\"]", str(reference))
    return found[1] if found else str(reference)


def rule_of(node: Mapping[str, Any]) -> tuple[str, str] | None:
    """(check name, sentence) for a generic test this project uses; None for any other test."""
    test = (node.get("test_metadata") or {}).get("name")
    arguments = _arguments(node)
    column = node.get("column_name") or arguments.get("column_name") or ""
    if test == "not_null":
        return f"{column}_is_always_filled", f"{column} is filled on every row."
    if test == "unique":
        return f"{column}_is_unique", f"No two rows share a {column}."
    if test == "accepted_values":
        values = ", ".join(str(v) for v in arguments.get("values") or [])
        return f"{column}_is_an_allowed_value", f"{column} is one of: {values}."
    if test == "relationships":
        target, field = _model(arguments.get("to", "")), arguments.get("field", "")
        return f"{column}_is_known_in_{target}", f"Every {column} is a {field} of {target}."
    if test == "unique_combination":
        columns = list(arguments.get("columns") or [])
        return f"one_row_per_{'_'.join(columns)}", f"One row per ({', '.join(columns)}): no key repeated."
    if test == "share_between_0_and_1":
        return f"{column}_is_a_share_from_0_to_1", f"{column} is a share: from 0 to 1 where it is known."
    return None


def readable_name(node: Mapping[str, Any]) -> str:
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    if meta.get("check_name"):
        return str(meta["check_name"])
    rule = rule_of(node)
    return rule[0] if rule else node["name"]


def _attached(node: Mapping[str, Any]) -> str:
    return node.get("attached_node") or ",".join(node.get("depends_on", {}).get("nodes", []))


def with_readable_test_names(manifest: Mapping[str, Any]) -> dict:
    """A copy of the manifest whose generic tests are named by their rule; where two tests of one model would
    share a name, the later (by dbt's name) gets its dbt name back, so no check is lost or merged."""
    manifest = copy.deepcopy(dict(manifest))
    taken: set[tuple[str, str]] = set()
    tests = sorted(
        (node for node in manifest["nodes"].values() if node.get("resource_type") == "test"), key=lambda n: n["name"]
    )
    for node in tests:
        name = re.sub(r"[^A-Za-z0-9_]+", "_", readable_name(node)).strip("_")[:200]
        if name and (_attached(node), name) not in taken:
            taken.add((_attached(node), name))
            node["name"] = name
    return manifest


def check_description(node: Mapping[str, Any]) -> str | None:
    """The test's own description (YAML `description:`), else its rule in a sentence."""
    own = (node.get("description") or "").strip()
    if own:
        return own
    rule = rule_of(node)
    return rule[1] if rule else None


def readable_manifest(path) -> dict:
    import json
    from pathlib import Path

    return with_readable_test_names(json.loads(Path(path).read_text()))
