"""Where planwatch reads and writes: one typed object, resolved once, shared by the CLI and Dagster."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

# Environment for every process planwatch starts: no telemetry, and no call that could reach the
# internet (dagster-dbt's version check asks PyPI; a dead proxy makes it fail at once, not in 20 s).
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "localhost,127.0.0.1",
    "GX_ANALYTICS_ENABLED": "False",
}


DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit for the processes that write the build database (ingest, dbt): above it,
DuckDB spills to disk instead of growing. PLANWATCH_DUCKDB_MEMORY_LIMIT sets it ('2GB', '512MB',
'50%'). 1GB by default, not DuckDB's own 80% of the machine: a run must not take a shared server's
memory, and 1GB is enough for 200,000 enterprises × 36 months (the whole run peaks at 1.8 GB, dbt
and its DuckDB included; bench/scale.py, README "Scale benchmark"). The spill folder is DuckDB's default,
build.duckdb.tmp beside the database: DuckDB refuses to switch it once it was used, and dbt-duckdb
applies its settings on every connection."""


class ConfigurationError(ValueError):
    """A setting from the environment that planwatch cannot use; the message names it and the fix."""


# DuckDB's memory_limit syntax: a number and a unit, or a share of the machine.
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB|%)$", re.IGNORECASE)


def memory_limit(text: str | None) -> str:
    """PLANWATCH_DUCKDB_MEMORY_LIMIT checked before any database is opened: a typo there would
    otherwise stop the ingest half-way with DuckDB's parser error."""
    value = (text or "").strip()
    if not value:
        return DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY_LIMIT.match(value):
        raise ConfigurationError(
            f"PLANWATCH_DUCKDB_MEMORY_LIMIT={value!r} is not a memory size: write e.g. 2GB, 512MB or 80%, "
            f"or unset it for planwatch's default ({DEFAULT_DUCKDB_MEMORY_LIMIT})"
        )
    return value


def dbt_var(name: str) -> object:
    """A var of dbt_project.yml, for the Python steps that apply the same business rule as the models
    (one place for each threshold)."""
    import yaml

    with (DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as handle:
        variables = (yaml.safe_load(handle) or {}).get("vars") or {}
    if name not in variables:
        raise KeyError(f"var '{name}' is not set in {DBT_PROJECT_DIR / 'dbt_project.yml'}")
    return variables[name]


@dataclass(frozen=True)
class Settings:
    """The raw folder and the warehouse folder, and the files planwatch keeps in the latter."""

    raw_dir: Path
    warehouse_dir: Path
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    @classmethod
    def resolve(
        cls, raw_dir: str | os.PathLike | None = None, warehouse_dir: str | os.PathLike | None = None
    ) -> Settings:
        """Arguments first, then $PLANWATCH_RAW_DIR / $PLANWATCH_WAREHOUSE_DIR, then raw/ and warehouse/;
        DuckDB's memory limit from $PLANWATCH_DUCKDB_MEMORY_LIMIT, else DEFAULT_DUCKDB_MEMORY_LIMIT."""
        raw = raw_dir or os.environ.get("PLANWATCH_RAW_DIR") or "raw"
        warehouse = warehouse_dir or os.environ.get("PLANWATCH_WAREHOUSE_DIR") or "warehouse"
        limit = memory_limit(os.environ.get("PLANWATCH_DUCKDB_MEMORY_LIMIT"))
        return cls(Path(raw).expanduser().resolve(), Path(warehouse).expanduser().resolve(), limit)

    @property
    def build_db(self) -> Path:
        return self.warehouse_dir / "build.duckdb"

    @property
    def analytics_db(self) -> Path:
        return self.warehouse_dir / "analytics.duckdb"

    def duckdb_settings(self) -> dict[str, str]:
        """DuckDB settings for a connection that writes the build database; dbt's profile reads the
        same memory limit from the environment (see environment())."""
        return {"memory_limit": self.duckdb_memory_limit}

    @property
    def quarantine_dir(self) -> Path:
        return self.warehouse_dir / "quarantine"

    @property
    def archive_dir(self) -> Path:
        """A copy of every ingested file, by content (archive/<sha256[:2]>/<sha256><suffix>)."""
        return self.warehouse_dir / "archive"

    @property
    def reports_dir(self) -> Path:
        return self.warehouse_dir / "reports"

    @property
    def data_docs_dir(self) -> Path:
        """Great Expectations' Data Docs for the staged inputs (index.html)."""
        return self.reports_dir / "data_docs"

    @property
    def data_docs_state(self) -> Path:
        """What the last validation found, by staged model and year (orchestration/quality/batches.py)."""
        return self.reports_dir / "data_docs.validated.json"

    @property
    def feedback_dir(self) -> Path:
        """One workbook per district and period with findings, under <YYYY-MM>/."""
        return self.reports_dir / "feedback"

    @property
    def parquet_dir(self) -> Path:
        """Every published mart as Parquet, for pandas and polars users."""
        return self.warehouse_dir / "parquet"

    @property
    def docs_dir(self) -> Path:
        """dbt docs: every model, column and test (index.html; static_index.html opens from disk)."""
        return self.warehouse_dir / "docs"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts and partial parse for runs on this warehouse: runs write under the
        warehouse, never into the installed dbt project."""
        return self.warehouse_dir / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.warehouse_dir / "dbt" / "logs"

    @property
    def dagster_home(self) -> Path:
        return self.warehouse_dir / ".dagster"

    def environment(self) -> dict[str, str]:
        """Variables the Dagster code location and dbt read, for this raw folder and warehouse."""
        return {
            **QUIET_ENV,
            "PLANWATCH_RAW_DIR": str(self.raw_dir),
            "PLANWATCH_WAREHOUSE_DIR": str(self.warehouse_dir),
            "PLANWATCH_BUILD_DB": str(self.build_db),
            "PLANWATCH_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "DAGSTER_HOME": str(self.dagster_home),
        }

    def prepare_dagster_home(self) -> None:
        """The Dagster instance folder, shared by `planwatch run` and `dg dev`: telemetry off, one
        run at a time."""
        write_dagster_yaml(self.dagster_home)


# The Dagster instance's configuration. Runs on one warehouse take its run lock
# (orchestration/locking.py): the queue runs them one at a time, so that the sensor's runs wait instead
# of failing on the lock.
DAGSTER_YAML = """\
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
"""


def write_dagster_yaml(home: Path) -> None:
    """The instance configuration, unless the operator wrote their own. Written beside and linked into
    place: a UI and a run starting at once on a new warehouse each read a whole file, and neither
    replaces one already there."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if config.exists():
        return
    partial = home / f".dagster.yaml.{secrets.token_hex(8)}.tmp"  # not mkstemp's: its mode is 0600
    with partial.open("x", encoding="utf-8") as file:
        file.write(DAGSTER_YAML)
    try:
        os.link(partial, config)
    except FileExistsError:
        pass  # another process wrote it first
    except OSError:  # a file system without hard links (some network shares): renamed, whole still
        if not config.exists():
            os.replace(partial, config)
    finally:
        partial.unlink(missing_ok=True)
