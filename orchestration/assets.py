"""Assets between ingestion and dbt (the return register) and after it (the published file)."""

import datetime as dt
import subprocess
from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, asset, multi_asset

from orchestration.dbt import OWNER, dbt_models
from orchestration.ingestion.assets import ingestion_assets
from orchestration.parquet_export import export_sources, parquet_root
from orchestration.publish import publish
from orchestration.quality.register import after_ingestion
from orchestration.resources import PROJECT_ROOT, WarehouseResource, connect_warehouse
from orchestration.retention import purge_expired

RAW_KEYS = [key for a in ingestion_assets for key in a.keys]
MART_KEYS = [spec.key for spec in dbt_models.specs if spec.group_name == "marts"]


@multi_asset(
    name="return_register",
    specs=[
        AssetSpec(
            AssetKey(["audit", "load_log"]),
            group_name="reference",
            description="The register of every return received: file, hash, version, rows, status and "
            "whether it is current. Feeds the return status and coverage.",
            owners=[OWNER],
            kinds={"duckdb", "python"},
            deps=RAW_KEYS,
        ),
        AssetSpec(
            AssetKey(["audit", "quarantine"]),
            group_name="reference",
            description="Every problem found in a return: file, row, column, reason, severity (ERROR holds the "
            "return back, WARN is reported) and when a later version released it.",
            owners=[OWNER],
            kinds={"duckdb", "python"},
            deps=RAW_KEYS,
        ),
    ],
)
def return_register(context: AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
    settings = warehouse.settings()
    with connect_warehouse(settings) as con:
        # Retention (orchestration/retention.py): record-level rows older than WF_RETENTION_YEARS go, logged.
        purged = purge_expired(con, settings.retention_years, context.run.run_id)
        for purge in purged:
            context.log.info(f"retention: purged {purge.rows} rows of {purge.returns} returns from {purge.table}")
        # Quality (issue #6): register and ODS warnings on current returns; partner feedback files.
        quality = after_ingestion(con, settings.warehouse_dir)
        counts = dict(
            con.execute(
                "select status, count(*) from audit.load_log where is_current or status = 'quarantined' group by status"
            ).fetchall()
        )
        open_errors = con.execute(
            "select count(distinct load_id) from audit.quarantine where severity = 'ERROR' and released_at is null"
        ).fetchone()[0]
        # The raw layer as parquet too (orchestration/parquet_export.py), for Spark (WF_ENGINE=spark).
        exported = export_sources(con, settings.warehouse_dir)
        context.log.info(f"parquet: {len(exported)} source tables written to {parquet_root(settings.warehouse_dir)}")
    yield MaterializeResult(
        asset_key=AssetKey(["audit", "quarantine"]),
        metadata={"returns_held_back": open_errors, "organisation_warnings": quality["organisation_warnings"]},
    )
    yield MaterializeResult(
        asset_key=AssetKey(["audit", "load_log"]),
        metadata={
            "current_returns": sum(v for k, v in counts.items() if k != "quarantined"),
            "returns_held_back": open_errors,
            "by_status": MetadataValue.json(counts),
            "organisation_warnings": quality["organisation_warnings"],
            "feedback_files": quality["feedback_files"],
            "feedback_dir": MetadataValue.path(quality["feedback_dir"]),
            "data_docs": MetadataValue.path(quality["data_docs"]),
            "rows_purged_by_retention": sum(p.rows for p in purged),
        },
    )


def code_version() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@asset(
    key=AssetKey(["published", "marts"]),
    group_name="published",
    description="The analysts' read-only DuckDB file (WF_MARTS): every mart, dimension and the refresh log, "
    "swapped in atomically after dbt build passes; a dated copy of each version is kept beside it.",
    owners=[OWNER],
    kinds={"duckdb"},
    deps=MART_KEYS,
)
def published_marts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    settings = warehouse.settings()
    with connect_warehouse(settings, read_only=True) as con:
        used, held = con.execute(
            "select count(*) filter (where is_current), "
            "count(distinct load_id) filter (where status = 'quarantined') from audit.load_log"
        ).fetchone()
    run = context.instance.get_run_record_by_id(context.run.run_id)
    started = run.start_time if run and run.start_time else None
    refresh_log = {
        "refresh_id": context.run.run_id,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).replace(tzinfo=None) if started else None,
        "finished": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "returns_used": used,
        "returns_quarantined": held,
        "code_version": code_version(),
    }
    publication = publish(settings, refresh_log)
    context.log.info(f"published {publication.path} ({len(publication.tables)} tables)")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(publication.path)),
            "dated_copy": MetadataValue.path(str(publication.dated_copy or "none (WF_KEEP_PUBLISHED=0)")),
            "tables": MetadataValue.json(publication.tables),
        }
    )
