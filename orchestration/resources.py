"""Dagster resources: the warehouse locations, read from the environment when a run starts."""

import os

import dagster as dg
import duckdb

from orchestration.settings import QUIET_ENV, Settings


class WarehouseResource(dg.ConfigurableResource):
    """The raw folder and the warehouse folder (build database, snapshot, quarantine)."""

    raw_dir: str
    warehouse_dir: str

    @property
    def settings(self) -> Settings:
        return Settings.resolve(self.raw_dir, self.warehouse_dir)

    def export_dbt_environment(self) -> None:
        """dbt runs in a subprocess that inherits this environment: point its profile at this
        warehouse's build database, with telemetry and version checks off."""
        os.environ.update({**QUIET_ENV, "PLANWATCH_BUILD_DB": str(self.settings.build_db)})

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-write connection to the engineers' build database; close it before dbt runs."""
        self.settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.settings.build_db))
