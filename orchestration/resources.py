"""Dagster resources: the warehouse locations, read from the environment when a run starts."""

import dagster as dg
import duckdb

from orchestration.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """The raw folder and the warehouse folder (build database, snapshot, quarantine)."""

    raw_dir: str
    warehouse_dir: str

    @property
    def settings(self) -> Settings:
        return Settings.resolve(self.raw_dir, self.warehouse_dir)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-write connection to the engineers' build database; close it before dbt runs."""
        self.settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.settings.build_db))
