"""Assets between ingestion and dbt (the return register) and after it (the published file)."""

import datetime as dt
import subprocess
from collections.abc import Iterator

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from orchestration.dbt import OWNER, dbt_models
from orchestration.ingestion.assets import ingestion_assets
from orchestration.parquet_export import export_sources, parquet_root
from orchestration.publish import publish
from orchestration.quality.register import after_ingestion
from orchestration.quality.status import (
    OUTSTANDING_CHECK,
    headline_figures,
    held_back,
    outstanding,
    outstanding_check_metadata,
)
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
        AssetSpec(
            AssetKey(["audit", "return_state"]),
            group_name="reference",
            description="Each return (source, period, submitter) as it stands now: its latest version received, "
            "the version in use, and whether it is held back (quarantined: its latest version failed). The one "
            "definition of a quarantined return, read by mart_return_status, refresh_log, the checks and the summary.",
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
        open_errors = len(held_back(con))  # returns quarantined now (orchestration/quality/status.py)
        # The raw layer as parquet too (orchestration/parquet_export.py), for Spark (WF_ENGINE=spark).
        exported = export_sources(con, settings.warehouse_dir)
        context.log.info(f"parquet: {len(exported)} source tables written to {parquet_root(settings.warehouse_dir)}")
    yield MaterializeResult(asset_key=AssetKey(["audit", "return_state"]), metadata={"returns_held_back": open_errors})
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
    check_specs=[
        AssetCheckSpec(
            OUTSTANDING_CHECK,
            asset=AssetKey(["published", "marts"]),
            description="Every return due is in and accepted: fails while any partner's return is quarantined "
            "(its latest version held back) or missing (expected, due, not arrived) in the published "
            "mart_return_status. Metadata names the partners and lists each return owed with what to fix.",
        )
    ],
)
def published_marts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    settings = warehouse.settings()
    with connect_warehouse(settings, read_only=True) as con:
        used = con.execute("select count(*) from audit.load_log where is_current").fetchone()[0]
        held = len(held_back(con))  # returns quarantined now: the one definition (orchestration/quality/status.py)
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
    # What the lead reads: the headline of the version published, and what partners still owe in it.
    with duckdb.connect(str(publication.path), read_only=True) as published:
        headline = headline_figures(published)
        owed = outstanding(published)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(publication.path)),
            "dated_copy": MetadataValue.path(str(publication.dated_copy or "none (WF_KEEP_PUBLISHED=0)")),
            "tables": MetadataValue.json(publication.tables),
            "refresh_id": refresh_log["refresh_id"],
            "returns_quarantined": held,
            **headline,
        },
        check_results=[
            AssetCheckResult(
                check_name=OUTSTANDING_CHECK,
                passed=not owed,
                severity=AssetCheckSeverity.ERROR,
                metadata=outstanding_check_metadata(owed),
            )
        ],
    )
