"""The Dagster instance under warehouse/.dagster: its configuration and how its SQLite files are written.

Dagster stores every event of a run (a planned and a finished event per asset, one per dbt test: about
1,300 for one `planwatch run`) through a new SQLAlchemy engine and SQLite connection, with a commit
that SQLite makes durable by fsync; in WAL mode the close checkpoints with another fsync. Measured
here by bench/dagster_events.py: 40-50 ms an event, half a minute of every run. planwatch keeps
Dagster's storage and changes two things:

- SQLite files under $DAGSTER_HOME commit with `synchronous=OFF`. The run history is a record of what
  ran, not the warehouse's data (that is DuckDB and raw.ingest_ledger, which keep their own
  durability): a killed process loses nothing; only an operating-system crash or a power cut during a
  run can damage the history, and `rm -r warehouse/.dagster` then starts a new one without touching
  a figure.
- The event log keeps one engine per database file (PlanwatchEventLogStorage) instead of building one
  for every event; connections are still opened and closed per event, as Dagster does, so other
  processes (the UI, the daemon) see the same files the same way.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# Runs on one warehouse take its run lock (orchestration/locking.py): the queue runs them one at a
# time, so that the sensor's runs wait instead of failing on the lock. The event log's base_dir is
# relative to $DAGSTER_HOME, so a warehouse folder can be moved or copied whole.
DAGSTER_YAML = """\
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
event_log_storage:
  module: orchestration.instance
  class: PlanwatchEventLogStorage
  config:
    base_dir: history/runs
"""
# What earlier versions wrote; such a file is brought up to date, any other is the operator's.
EARLIER_DAGSTER_YAML = ("telemetry:\n  enabled: false\nrun_queue:\n  max_concurrent_runs: 1\n",)
ENGINES_KEPT = 32  # one per run database in use, and the index; a long-lived UI sees many runs

_installed: list[bool] = []


def write_dagster_yaml(home: Path) -> None:
    """The instance configuration, unless the operator wrote their own."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") in EARLIER_DAGSTER_YAML:
        config.write_text(DAGSTER_YAML, encoding="utf-8")


def _under(folder: Path, connection: sqlite3.Connection) -> bool:
    for _seq, _name, file in connection.execute("pragma database_list").fetchall():
        if file and Path(file).resolve().is_relative_to(folder):
            return True
    return False


def relax_history_fsync() -> None:
    """SQLite connections to files under $DAGSTER_HOME commit without fsync; others are left as they are.
    Idempotent; call before a run starts."""
    if _installed:
        return
    import sqlalchemy

    @sqlalchemy.event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
        home = os.environ.get("DAGSTER_HOME")
        connection = dbapi_connection
        if home and isinstance(connection, sqlite3.Connection) and _under(Path(home).resolve(), connection):
            connection.execute("pragma synchronous=OFF")

    _installed.append(True)


class PlanwatchEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, one engine per database file instead of one per event."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        relax_history_fsync()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> PlanwatchEventLogStorage:
        base = Path(config_value["base_dir"])
        if not base.is_absolute():
            base = Path(os.environ.get("DAGSTER_HOME", ".")) / base
        return cls(base_dir=str(base), inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=NullPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
            self._engines[shard] = engine  # the most recently used last
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)[1].dispose()
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()
