"""One Dagster asset per source, keyed like the dbt source it feeds (raw/<source>)."""

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.ingestion.load import SourceReport, ingest_source
from orchestration.ingestion.schema import ensure_schema
from orchestration.ingestion.sources import SOURCES, Source
from orchestration.resources import WarehouseResource, connect_warehouse

OWNER = "team:workforce-data"


def report_metadata(report: SourceReport) -> dict:
    return {
        "files_seen": report.files_seen,
        "files_read": report.files_read,
        "rows_loaded": report.rows_loaded,
        "returns_quarantined": len(report.quarantined),
        "returns_with_warnings": len(report.warned),
        "versions_superseded": report.versions_superseded,
        "quarantined": MetadataValue.md(
            "\n".join(f"- `{name}`: {reason}" for name, reason in report.quarantined) or "none"
        ),
    }


def ingestion_asset(source: Source) -> AssetsDefinition:
    kinds = {"python", "duckdb"} | ({"excel"} if source.file_format == "vcse_workbook" else {"csv"})

    @asset(
        key=AssetKey(["raw", source.name]),
        group_name=source.group,
        description=source.description
        + f" Reads <landing>/{source.name}/<period>/<submitter>[__vN].{'|'.join(source.extensions)}; "
        "only new or changed files (sha256) are parsed.",
        owners=[OWNER],
        kinds=kinds,
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        settings = warehouse.settings()
        with connect_warehouse(settings) as con:
            ensure_schema(con)
            report = ingest_source(
                con,
                source,
                settings.landing_dir,
                settings.pseudo_key,
                context.run.run_id,
                warehouse.is_forced,
            )
        for name, reason in report.quarantined:
            context.log.warning(f"quarantined {name}: {reason}")
        context.log.info(
            f"{source.name}: {report.files_read} new or changed of {report.files_seen} files, "
            f"{report.rows_loaded} rows loaded, {len(report.quarantined)} quarantined"
        )
        return MaterializeResult(metadata=report_metadata(report))

    return _ingest


ingestion_assets = [ingestion_asset(source) for source in SOURCES]
