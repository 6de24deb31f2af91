"""`make docs`: the dbt documentation site, built into the warehouse folder beside the GX Data Docs.

    python -m orchestration.docs

writes <warehouse folder>/docs/dbt/ (`dbt docs generate --static`: static_index.html opens straight from
disk, index.html needs `dbt docs serve` or any web server) and <warehouse folder>/docs/index.html, a page
linking the dbt site and, where the quality checks have built them, the Great Expectations Data Docs
(<warehouse folder>/docs/gx/). With no warehouse yet the dbt site has models, lineage and column docs but
an empty catalog (no row counts or database types).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration.resources import PROJECT_ROOT, Settings, SettingsError, refresh_lock
from orchestration.safe_text import html_page, html_text


@dataclass(frozen=True)
class DocsSite:
    index: Path
    dbt_static: Path
    gx_index: Path | None
    catalog_empty: bool


def docs_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "docs"


def build_dbt_docs(settings: Settings, target: Path) -> bool:
    """dbt docs generate into target; the catalog is read from the warehouse when it exists (holding the
    refresh lock, as DuckDB allows one writer). Returns True when the catalog had to be left empty."""
    dbt = Path(sys.executable).with_name("dbt")
    empty = not settings.warehouse.exists()
    env = {**os.environ, "WF_ENGINE": "duckdb", "WF_WAREHOUSE": ":memory:" if empty else str(settings.warehouse)}
    command = [
        str(dbt if dbt.exists() else "dbt"),
        "docs",
        "generate",
        "--static",
        "--quiet",
        "--project-dir",
        str(PROJECT_ROOT / "dbt_project"),
        "--profiles-dir",
        str(PROJECT_ROOT / "dbt_project"),
        "--target-path",
        str(target),
        *(["--empty-catalog"] if empty else []),
    ]
    if empty:
        subprocess.run(command, check=True, env=env, cwd=PROJECT_ROOT)
    else:
        with refresh_lock(settings, wait=True):
            subprocess.run(command, check=True, env=env, cwd=PROJECT_ROOT)
    return empty


def index_page(site_dir: Path, gx_index: Path | None, catalog_empty: bool) -> str:
    links = [
        ("dbt/static_index.html", "dbt documentation: models, lineage, column descriptions and tests (one file)"),
        ("dbt/index.html", "the same site for a web server (dbt docs serve, or python -m http.server)"),
    ]
    if gx_index is not None:
        links.append((gx_index.relative_to(site_dir).as_posix(), "Great Expectations Data Docs: the quality checks"))
    items = "\n".join(f'  <li><a href="{html_text(href)}">{html_text(text)}</a></li>' for href, text in links)
    note = (
        "<p>No warehouse was built yet: the dbt catalog (row counts, database types) is empty. "
        "Run <code>make run</code>, then <code>make docs</code> again.</p>\n"
        if catalog_empty
        else ""
    )
    if gx_index is None:
        note += "<p>No Great Expectations Data Docs yet: a refresh builds them in docs/gx/.</p>\n"
    return html_page(
        "ICS workforce warehouse: documentation",
        f"<h1>ICS workforce warehouse: documentation</h1>\n<ul>\n{items}\n</ul>\n{note}",
    )


def build_docs(settings: Settings) -> DocsSite:
    site_dir = docs_dir(settings)
    site_dir.mkdir(parents=True, exist_ok=True)
    catalog_empty = build_dbt_docs(settings, site_dir / "dbt")
    gx_index = site_dir / "gx" / "index.html"
    gx = gx_index if gx_index.exists() else None
    index = site_dir / "index.html"
    index.write_text(index_page(site_dir, gx, catalog_empty), encoding="utf-8")
    return DocsSite(index, site_dir / "dbt" / "static_index.html", gx, catalog_empty)


def main(argv: list[str] | None = None) -> int:
    del argv
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Docs refused: {error}", file=sys.stderr)
        return 2
    site = build_docs(settings)
    print(f"Documentation: {site.index}")
    print(f"  dbt (one file, opens from disk): {site.dbt_static}")
    print(f"  Great Expectations Data Docs: {site.gx_index or 'none yet (a refresh builds them)'}")
    if site.catalog_empty:
        print("  (no warehouse yet: the dbt catalog is empty; run make run, then make docs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
