"""Reports for people outside the warehouse: district feedback workbooks and the dbt docs site."""

import shutil

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.constants import PUBLIC_MART_KEYS
from orchestration.feedback import write_feedback
from orchestration.freshness import dbt_digest
from orchestration.publish import replace_folder
from orchestration.resources import WarehouseResource

PUBLISHED = dg.AssetKey(["published", "analytics_snapshot"])
# The marts the feedback workbooks are written from.
FEEDBACK_MARTS = (dg.AssetKey(["marts", "dq_findings"]), dg.AssetKey(["marts", "dq_rules"]))


def unpublished_marts(instance: dg.DagsterInstance) -> list[str]:
    """The marts of FEEDBACK_MARTS built since the last publish (or never published): a refused
    publish, or a build that stopped before it, left what they hold out of the snapshot."""
    published = instance.get_latest_materialization_event(PUBLISHED)
    unpublished = []
    for key in FEEDBACK_MARTS:
        built = instance.get_latest_materialization_event(key)
        if built is not None and (published is None or built.timestamp > published.timestamp):
            unpublished.append(key.to_user_string())
    return unpublished


@dg.asset(
    key=["reports", "district_feedback"],
    group_name="reports",
    kinds={"excel"},
    # After the publish: a refused publish fails its step, so Dagster skips this one and the
    # workbooks stay those of the last snapshot published.
    deps=[*FEEDBACK_MARTS, PUBLISHED],
)
def district_feedback(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One workbook per district and period with findings (warehouse/reports/feedback/<YYYY-MM>/):
    what to fix, in words a district officer can act on. Written only from marts that were published:
    materialized on its own after a refused publish, it fails and leaves the workbooks as they were."""
    unpublished = unpublished_marts(context.instance)
    if unpublished:
        raise dg.Failure(
            description=(
                f"{', '.join(unpublished)} were built after the last publish of {PUBLISHED.to_user_string()} "
                "(refused, or not reached): feedback workbooks are written only from published findings, "
                "so they were left as they were; run the refresh job (planwatch run) to publish first"
            )
        )
    settings = warehouse.settings
    paths = write_feedback(settings.build_db, settings.feedback_dir)
    periods = sorted({path.parent.name for path in paths})
    context.log.info(f"{len(paths)} feedback workbooks under {settings.feedback_dir}")
    return dg.MaterializeResult(
        metadata={
            "workbooks": len(paths),
            "periods": ", ".join(periods[-6:]) + (" …" if len(periods) > 6 else ""),
            "folder": dg.MetadataValue.path(str(settings.feedback_dir)),
        }
    )


DOCS_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")
# Beside the docs: the digest of the dbt project they were generated from (orchestration/freshness.py).
DOCS_DIGEST = ".dbt-project.sha256"


@dg.asset(
    key=["reports", "dbt_docs"],
    group_name="reports",
    kinds={"dbt"},
    deps=PUBLIC_MART_KEYS,
)
def dbt_docs(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """warehouse/docs/: dbt's documentation of every model, column and test, from the YAML beside the
    models; static_index.html has everything built in and opens straight from disk."""
    settings = warehouse.settings
    index = dg.MetadataValue.path(str(settings.docs_dir / "static_index.html"))
    digest = dbt_digest()
    written = settings.docs_dir / DOCS_DIGEST
    if written.is_file() and written.read_text(encoding="utf-8") == digest:
        # Models, columns, descriptions and tests are all in the dbt project: a run that brings only
        # data leaves the docs as they were, and costs no `dbt docs generate` (seconds to minutes).
        context.log.info(f"dbt docs under {settings.docs_dir} are current: the dbt project has not changed")
        return dg.MaterializeResult(metadata={"index": index, "regenerated": False})
    warehouse.export_dbt_environment()
    # The run's dbt target folder (under the warehouse): it keeps dbt's partial parse between runs,
    # and the `dbt build` just before left the compiled SQL there, so the docs need not compile again
    # (--no-compile halves the time).
    target = settings.dbt_target_dir
    dbt.cli(["docs", "generate", "--static", "--no-compile"], target_path=target).wait()
    staging = settings.docs_dir.with_name(f".{settings.docs_dir.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in DOCS_FILES:
        shutil.copy2(target / name, staging / name)
    (staging / DOCS_DIGEST).write_text(digest, encoding="utf-8")
    replace_folder(staging, settings.docs_dir)
    context.log.info(f"dbt docs under {settings.docs_dir}")
    return dg.MaterializeResult(metadata={"index": index, "regenerated": True})
