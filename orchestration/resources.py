"""Dagster resources: the warehouse locations, read from the environment when a run starts."""

import os

import dagster as dg
import duckdb

from orchestration import locking
from orchestration.dbt_child import LOG_PATH_ENV, PARENT_PID_ENV
from orchestration.settings import QUIET_ENV, Settings


class WarehouseResource(dg.ConfigurableResource):
    """The raw folder and the warehouse folder (build database, snapshot, quarantine). A run that uses
    it holds the warehouse's run lock from setup to teardown, so runs started from the Dagster UI, the
    schedule or the sensor never write beside `planwatch run` or each other."""

    raw_dir: str
    warehouse_dir: str

    @property
    def settings(self) -> Settings:
        return Settings.resolve(self.raw_dir, self.warehouse_dir)

    def export_dbt_environment(self) -> None:
        """dbt runs in a subprocess that inherits this environment: point its profile at this
        warehouse's build database, with telemetry and version checks off, and name this process as
        the one whose end ends dbt (orchestration/dbt_child.py). Called by the step that starts dbt,
        in the process that starts it."""
        os.environ.update(
            {
                **QUIET_ENV,
                "PLANWATCH_BUILD_DB": str(self.settings.build_db),
                "PLANWATCH_DUCKDB_MEMORY_LIMIT": self.settings.duckdb_memory_limit,
                LOG_PATH_ENV: str(self.settings.dbt_log_dir),
                PARENT_PID_ENV: str(os.getpid()),
            }
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # In `planwatch run` this process holds the lock already: taking it again only counts.
        warehouse_dir = self.settings.warehouse_dir
        run_id = context.run.run_id if context.run else None  # None outside a run (a test's build_resources)
        if locking.acquire(warehouse_dir, f"Dagster run {run_id}"):
            removed = locking.remove_leftovers(warehouse_dir)
            if removed and context.log:
                context.log.info(
                    f"removed {len(removed)} temporary files a stopped run left under {warehouse_dir}: "
                    + ", ".join(path.name for path in removed)
                )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        locking.release(self.settings.warehouse_dir)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-write connection to the engineers' build database, under planwatch's DuckDB memory
        limit; close it before dbt runs."""
        settings = self.settings
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(settings.build_db))
        for name, value in settings.duckdb_settings().items():
            con.execute(f"set {name} = ?", [value])
        return con
