"""The dbt project's seeds, models and tests as Dagster assets and asset checks."""

import contextlib
import signal
import subprocess
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.build_log import FAILED, PASSED, STOPPED, build_finished, build_started
from orchestration.checks.staged_inputs import import_great_expectations_in_background
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource


class PlanwatchTranslator(DagsterDbtTranslator):
    """Models and seeds are keyed by schema and name (marts/indicator_progress), sources as their meta says."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props.get("schema") or "dbt"


class DbtBuildConfig(dg.Config):
    """`full_refresh`: rebuild the incremental models from the raw tables (`dbt build --full-refresh`),
    after a change to the dbt project or its seeds, which an incremental run cannot see."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=PlanwatchTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def planwatch_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
) -> Iterator:
    """Seeds, staging, intermediate and marts, built and tested by `dbt build` in the build database;
    meta.dbt_builds records that it began and how it ended, which a publish on its own reads."""
    warehouse.export_dbt_environment()
    target = warehouse.settings.dbt_target_dir
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    build_db = warehouse.settings.build_db
    import_great_expectations_in_background(context.run)  # while this step waits for dbt
    build_id = build_started(build_db, whole=not context.is_subset)  # nothing may raise from here to try
    outcome = FAILED
    try:
        invocation = dbt.cli(args, context=context, target_path=target)
        with stopped_if_abandoned(invocation.process, invocation.termination_timeout_seconds):
            yield from invocation.stream()
        outcome = PASSED
    except (KeyboardInterrupt, GeneratorExit, dg.DagsterExecutionInterruptedError):
        outcome = STOPPED  # terminated from the UI, or Ctrl-C
        raise
    finally:  # a killed process records nothing: the build stays unfinished, which refuses a publish too
        build_finished(build_db, build_id, outcome)


@contextlib.contextmanager
def stopped_if_abandoned(process: subprocess.Popen, timeout: float) -> Iterator[None]:
    """End the dbt process if the step stops reading it before it has finished.

    A step can fail while dbt still runs (dagster-dbt raising on an event it cannot map, e.g. a test the
    loaded manifest does not know); dagster-dbt stops dbt only on an interrupt. Left running, dbt held
    build.duckdb's write lock while `planwatch run` opened it for its summary. SIGINT first, as
    dagster-dbt does, so dbt ends its transaction; then SIGKILL.
    """
    try:
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
