"""docs/kpi_paths.md (each KPI -> its models and columns -> its dbt tests -> its Dagster asset checks) is
generated from the manifest and the Definitions; the committed file must be the one they give today."""

from __future__ import annotations

import csv

from tests.conftest import PROJECT_ROOT


def test_committed_kpi_paths_are_in_step_with_the_models():
    from orchestration.kpi_paths import OUTPUT, generate

    fresh = generate()
    kpis = [row["kpi"] for row in csv.DictReader((PROJECT_ROOT / "seeds/reference/kpi_definitions.csv").open())]
    assert len(kpis) == 13
    for kpi in kpis:
        assert f"## {kpi}\n" in fresh and f"`mart_system_kpis.value (kpi = '{kpi}')`" in fresh, kpi
    assert "`marts/mart_system_kpis: kpi_is_known_in_metric_definitions`" in fresh  # checks named by their rule
    assert OUTPUT.read_text(encoding="utf-8") == fresh, (
        "docs/kpi_paths.md is stale: run python -m orchestration.kpi_paths"
    )
