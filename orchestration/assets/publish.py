"""The published analyst snapshot, warehouse/analytics.duckdb."""

import dagster as dg

from orchestration.build_log import unbuilt_reason
from orchestration.constants import PUBLIC_MART_KEYS
from orchestration.publish import PublishRefused, export_parquet, publish
from orchestration.resources import WarehouseResource


class PublishConfig(dg.Config):
    """`accept_drop`: the operator's reason to publish a snapshot that the coverage gate refuses (no
    enterprise in scope, a published month left without figures, or a drop beyond var
    publish_max_drop_share); recorded in marts.publish_log."""

    accept_drop: str = ""


@dg.asset(
    key=["published", "analytics_snapshot"],
    group_name="publish",
    kinds={"duckdb"},
    deps=PUBLIC_MART_KEYS,
)
def analytics_snapshot(
    context: dg.AssetExecutionContext, config: PublishConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """analytics.duckdb: the marts analysts query (aggregates only, no credit code), swapped in whole;
    refused (PublishRefused: the step fails, so the reports after it are skipped) when the marts are
    not those of a whole dbt build that passed after the last file came in (build_log), or would expose
    a credit code, have no enterprise in scope, have no figures for a month the last publish had, or
    lose more coverage than var publish_max_drop_share against the last publish."""
    settings = warehouse.settings
    if reason := unbuilt_reason(settings.build_db):
        raise PublishRefused(
            f"not published: {reason}; the snapshot stays the last one published. Run `planwatch run` (the "
            "refresh job), which builds before it publishes"
        )
    result = publish(
        settings.build_db, settings.analytics_db, context.run.run_id, accept_drop=config.accept_drop or None
    )
    if result.coverage_override:
        context.log.warning(f"published despite the coverage gate: {result.coverage_override}")
    if result.stale_wal is not None:
        context.log.warning(
            f"removed the stale write-ahead log {result.stale_wal} with the swap: a read-write connection "
            "to the previous snapshot left it without a checkpoint; its changes were never published"
        )
    context.log.info(f"published {result.path} covering {result.first_period}..{result.last_period}")
    if result.revisions:
        context.log.info(
            f"this publish revised {result.revisions} figures published before: marts.indicator_revisions "
            "names each with the files that caused it (planwatch status)"
        )
    if result.cell_revisions:
        context.log.info(
            f"this publish revised {result.cell_revisions} chain and district values published before: "
            "marts.cell_revisions names each with the files that caused it (planwatch status)"
        )
    parquet = export_parquet(result.path, settings.parquet_dir)
    context.log.info(f"exported {len(parquet)} tables as Parquet under {settings.parquet_dir}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "first_period": str(result.first_period),
            "last_period": str(result.last_period),
            "findings_error": result.findings_error,
            "findings_warn": result.findings_warn,
            "coverage_override": result.coverage_override or "",
            "figures_revised": result.revisions,
            "cell_values_revised": result.cell_revisions,
            "parquet": dg.MetadataValue.path(str(settings.parquet_dir)),
            **{f"rows_{table}": count for table, count in result.tables.items()},
        }
    )
