"""Ingest assets: one per raw kind, each loading the files dropped in raw/<kind>/ into raw.<table>.

Monthly kinds (filings, district submissions, bureau tables) are partitioned by month; the registry
and the annual survey are reference snapshots and are not.
"""

import datetime as dt

import dagster as dg

from orchestration.constants import monthly_partitions
from orchestration.ingest.kinds import KINDS
from orchestration.ingest.ledger import IngestReport
from orchestration.ingest.loader import ingest
from orchestration.resources import WarehouseResource


class IngestConfig(dg.Config):
    """`only_new_files`: load only files the ledger has not seen (what `planwatch run` asks for).
    Left false, a partition run also reloads the files already ingested for its months (a backfill)."""

    only_new_files: bool = False


def _months(partition_keys: list[str]) -> set[str]:
    return {dt.date.fromisoformat(key).strftime("%Y-%m") for key in partition_keys}


def _log_fates(context: dg.AssetExecutionContext, report: IngestReport) -> None:
    """The files that did not simply come in, one warning each, in words the operator acts on."""
    for rel, reason in report.rejected.items():  # a reason that begins with the file names it once
        context.log.warning(f"rejected {reason if reason.startswith(rel) else f'{rel}: {reason}'}")
    for rel, reason in report.refused.items():
        context.log.warning(f"refused {rel}: {reason}")
    for rel in report.withdrawn:
        context.log.warning(
            f"withdrawn {rel}: its content left raw/ (removed, or changed in place), its rows leave the marts"
        )


def _metadata(report: IngestReport, total: int) -> dict[str, object]:
    """What the asset's materialization shows in the UI: files by fate, rows, the rejections."""
    return {
        "files_ingested": len(report.ingested),
        "files_reloaded": len(report.reloaded),
        "files_rejected": len(report.rejected),
        "files_duplicate": len(report.duplicates),
        "files_superseded": len(report.superseded),
        "files_restored": len(report.restored),
        "files_refused": len(report.refused),
        "files_withdrawn": len(report.withdrawn),
        "rows_loaded": report.rows_loaded,
        "rows_in_table": total,
        "rejected": dg.MetadataValue.md(
            "\n".join(f"- `{rel}`: {reason}" for rel, reason in report.rejected.items()) or "none"
        ),
    }


def build_ingest_asset(kind_name: str) -> dg.AssetsDefinition:
    kind = KINDS[kind_name]

    @dg.asset(
        key=["raw", kind.table],
        name=None,
        group_name="ingest",
        kinds={"python", "duckdb"},
        partitions_def=monthly_partitions if kind.monthly else None,
        backfill_policy=dg.BackfillPolicy.single_run() if kind.monthly else None,
        description=f"{kind.label_zh} ({kind_name}): every row of the files in raw/{kind_name}/, in 万元, "
        "with its file, sheet, row and the file's sha256.",
    )
    def _ingest(
        context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        settings = warehouse.settings
        # a partition run: one partition (the UI's launch, the schedule) or a range (a backfill);
        # has_partition_key_range alone missed the one partition, which then reloaded nothing
        partitioned = context.has_partition_key or context.has_partition_key_range
        periods = _months(context.partition_keys) if kind.monthly and partitioned else None
        if config.only_new_files:
            periods = None
        with warehouse.connect() as con:
            report = ingest(
                con,
                settings.raw_dir,
                settings.quarantine_dir,
                kind_name,
                periods,
                context.run.run_id,
                context.log,
                archive_dir=settings.archive_dir,
            )
            total = con.execute(f"select count(*) from raw.{kind.table}").fetchone()[0]
        _log_fates(context, report)
        return dg.MaterializeResult(metadata=_metadata(report, total))

    _ingest.__doc__ = f"{kind.label_zh}: files from raw/{kind_name}/ loaded into raw.{kind.table}."
    return _ingest


ingest_assets = [build_ingest_asset(kind) for kind in KINDS]
