"""One Dagster asset per source, keyed like the dbt source it feeds (raw/<source>)."""

from collections.abc import Iterator

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.ingestion.landing import LandingRules
from orchestration.ingestion.load import SourceReport, ingest_source
from orchestration.ingestion.readers import SizeLimits
from orchestration.ingestion.schema import ensure_schema, tables_of
from orchestration.ingestion.sources import SOURCES, Source
from orchestration.quality.cross_source import AT_INGEST_READS
from orchestration.quality.gate import CHECK_NAME, QualityGate, docs_dir_of
from orchestration.quality.status import held_back
from orchestration.resources import WarehouseResource, connect_warehouse
from orchestration.safe_text import markdown_code

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
            "\n".join(
                f"- {markdown_code(name, table_cell=False)}: {markdown_code(reason, table_cell=False)}"
                for name, reason in report.quarantined
            )
            or "none"
        ),
        "files_still_arriving": len(report.arriving),
        "still_arriving": MetadataValue.json(dict(report.arriving)),
    }


def ingestion_asset(source: Source) -> AssetsDefinition:
    kinds = {"python", "duckdb"} | ({"excel"} if source.file_format == "vcse_workbook" else {"csv"})
    key = AssetKey(["raw", source.name])
    # Quality gate (issue #6): the GX suites of expectations/ and the cross-source rules, shown as a check.
    quality_check = AssetCheckSpec(
        CHECK_NAME,
        asset=key,
        description=f"Great Expectations suite(s) of expectations/ for {source.name} plus cross-source rules, "
        "run on this refresh's new returns: ERROR quarantines a return, WARN loads it and reports it. Fails while "
        "any return of the source is held back (quarantined now, whichever refresh found it). Metadata lists the "
        "returns held back now, this refresh's failing returns (file, row, column, reason) and links the Data Docs.",
    )

    description = (
        source.description
        + f" Reads `<landing>/{source.name}/<period>/<submitter>[__vN].{'|'.join(source.extensions)}`; "
        "only new or changed files (sha256) are parsed."
    )
    # A workbook fills several raw tables (one per sheet); each is its own asset, as dbt sees them.
    specs = [
        AssetSpec(
            AssetKey(["raw", table]),
            group_name=source.group,
            description=description if table == source.name else f"{source.name}: the {table} sheet. {description}",
            owners=[OWNER],
            kinds=kinds,
            # A source whose cross-source rules read another is ingested after it (first loads, backfills).
            deps=[AssetKey(["raw", name]) for name in AT_INGEST_READS.get(table, ())],
        )
        for table in tables_of(source)
    ]

    @multi_asset(name=f"ingest_{source.name}", specs=specs, check_specs=[quality_check])
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
        settings = warehouse.settings()
        gate = QualityGate(context.run.run_id, docs_dir_of(settings.warehouse_dir), settings.docs_url)
        with connect_warehouse(settings) as con:
            ensure_schema(con)
            report = ingest_source(
                con,
                source,
                settings.landing_dir,
                settings.pseudo_key,
                context.run.run_id,
                warehouse.is_forced,
                validators=(gate,),
                rules=LandingRules(settings.settle_seconds, settings.earliest_period),
                limits=SizeLimits(settings.max_file_mb, settings.max_unpacked_mb),
            )
            held = held_back(con, source.name)  # the state now, not only this refresh (README, return status)
        gate.write_docs()
        for name, reason in report.quarantined:
            context.log.warning(f"quarantined {name}: {reason}")
        for name, reason in report.arriving:
            context.log.warning(f"still arriving, left for the next refresh: {name}: {reason}")
        context.log.info(
            f"{source.name}: {report.files_read} new or changed of {report.files_seen} files, "
            f"{report.rows_loaded} rows loaded, {len(report.quarantined)} quarantined"
        )
        yield MaterializeResult(
            asset_key=key,
            metadata=report_metadata(report) | {"gx_seconds": round(gate.gx_seconds, 3)},
            check_results=[gate.check_result(report, key, held)],
        )
        for table in tables_of(source):
            if table != source.name:
                yield MaterializeResult(asset_key=AssetKey(["raw", table]), metadata={"filled_by": source.name})

    return _ingest


ingestion_assets = [ingestion_asset(source) for source in SOURCES]
