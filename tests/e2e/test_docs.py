"""`make docs` (python -m orchestration.docs): the dbt site in the warehouse folder, linked with the GX
Data Docs. Runs the real `dbt docs generate` on the real project."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.docs import build_docs
from orchestration.resources import Settings


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path):
    root = tmp_path_factory.mktemp("docs_no_warehouse")
    settings = Settings.from_env({"WF_WAREHOUSE": str(root / "warehouse.duckdb"), "WF_MARTS": str(root / "m.duckdb")})
    return settings, build_docs(settings)


def test_without_a_warehouse_the_site_has_models_and_column_docs(empty_site):
    settings, site = empty_site
    assert site.catalog_empty
    assert not settings.warehouse.exists(), "building the docs must not create the warehouse"
    assert site.index == settings.warehouse_dir / "docs" / "index.html"
    static = site.dbt_static.read_text(encoding="utf-8")
    assert "mart_vacancy" in static and "Month-end the figures describe." in static  # a column description
    index = site.index.read_text(encoding="utf-8")
    assert 'href="dbt/static_index.html"' in index
    assert "gx/" not in index.split("<ul>")[1].split("</ul>")[0]  # no Data Docs link while none exist
    assert "make run" in index
    catalog = json.loads((site.dbt_static.parent / "catalog.json").read_text())
    assert catalog["nodes"] == {}


def test_with_a_warehouse_the_catalog_is_read_and_gx_docs_are_linked(tmp_path: Path, dbt_manifest: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create table marts.mart_vacancy (period date, vacancy_rate double)")
        con.execute("insert into marts.mart_vacancy values (date '2024-03-31', 0.1), (date '2024-04-30', 0.2)")
    gx_index = tmp_path / "docs" / "gx" / "index.html"
    gx_index.parent.mkdir(parents=True)
    gx_index.write_text("<html>GX</html>")
    settings = Settings.from_env({"WF_WAREHOUSE": str(warehouse), "WF_MARTS": str(tmp_path / "m.duckdb")})
    site = build_docs(settings)
    assert not site.catalog_empty and site.gx_index == gx_index
    assert 'href="gx/index.html"' in site.index.read_text(encoding="utf-8")
    catalog = json.loads((site.dbt_static.parent / "catalog.json").read_text())
    mart = catalog["nodes"]["model.workforce.mart_vacancy"]
    assert {name.lower(): col["type"].upper() for name, col in mart["columns"].items()} == {
        "period": "DATE",
        "vacancy_rate": "DOUBLE",
    }
    assert not settings.lock_path.exists() or settings.lock_path.stat().st_size == 0
