"""The dbt project's seeds, models and tests as Dagster assets and asset checks."""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

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
    """Seeds, staging, intermediate and marts, built and tested by `dbt build` in the build database."""
    warehouse.export_dbt_environment()
    target = warehouse.settings.dbt_target_dir
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    yield from dbt.cli(args, context=context, target_path=target).stream()
