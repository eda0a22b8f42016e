"""How the Dagster instance's SQLite files under warehouse/.dagster are written.

Dagster stores every event of a run (a planned and a finished event per asset, three per dbt test:
about 750 for one `planwatch run` of the sample) through a new SQLAlchemy engine and SQLite
connection. Two costs of that are cut here, for files under $DAGSTER_HOME only; measured by
bench/dagster_events.py:

- fsync: SQLite makes each commit durable by fsync, and in WAL mode the close checkpoints with
  another; planwatch sets `synchronous=OFF` on every connection. The run history is a record of what
  ran, not the warehouse's data (that is DuckDB and raw.ingest_ledger, which keep their own
  durability): a killed process loses nothing; only an operating-system crash or a power cut during a
  run can damage the history, and `rm -r warehouse/.dagster` then starts a new one without touching
  a figure.
- a new engine per event: SQLAlchemy compiles each statement again for every new engine, about half
  the CPU of an event. The event log and run storage get one engine per database file, kept (the most
  recently used `ENGINES_KEPT`); connections are still opened and closed per event with NullPool, as
  Dagster does, so other processes (the UI, the daemon) see the files the same way.

(An earlier try kept the engines in an event log storage class of planwatch's own, configured in
the instance's YAML file, and every run ended with nanobind reports of DuckDB objects alive at exit. This keeps
Dagster's storage classes and only hands them a kept engine: tests/test_progress.py checks that a
run's stderr has no such report, tests/test_instance.py that the functions replaced are still
Dagster's.)
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from typing import Any

ENGINES_KEPT = 32  # the index, runs.db and the run databases in use; a long-lived UI sees many runs

# the Dagster modules whose storages build an engine per connection
ENGINE_MODULES = (
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.storage.runs.sqlite.sqlite_run_storage",
)

_installed: list[bool] = []
_engines: OrderedDict[str, Any] = OrderedDict()
_engines_lock = threading.Lock()


def _history_folders() -> tuple[str, ...]:
    """$DAGSTER_HOME as given and resolved, each ending with a separator (none when unset)."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return ()
    return tuple({os.path.join(os.path.abspath(home), ""), os.path.join(os.path.realpath(home), "")})


def _under_history(connection: sqlite3.Connection) -> bool:
    folders = _history_folders()
    for _seq, _name, file in connection.execute("pragma database_list").fetchall():
        if file and file.startswith(folders):
            return True
    return False


def _url_under_history(url: Any) -> bool:
    text = str(url)
    return text.startswith("sqlite:///") and text.removeprefix("sqlite:///").startswith(_history_folders())


def relax_history_fsync() -> None:
    """SQLite connections to files under $DAGSTER_HOME commit without fsync, and Dagster's SQLite
    storages keep one engine per such file; others are left as they are. Idempotent; call before a
    run starts."""
    if _installed:
        return
    import importlib

    import sqlalchemy
    from sqlalchemy.engine import Engine

    @sqlalchemy.event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection) and _under_history(dbapi_connection):
            dbapi_connection.execute("pragma synchronous=OFF")

    for name in ENGINE_MODULES:
        module = importlib.import_module(name)
        module.create_engine = _keeping(module.create_engine)
    _installed.append(True)


def _keeping(create_engine: Any) -> Any:
    """create_engine, returning the engine made before for the same database file under $DAGSTER_HOME
    and the same options. Dagster disposes the engine after each use, which with NullPool closes
    nothing that another thread holds; the engine, and its compiled statements, stay usable."""

    def kept_engine(url: Any, **options: Any) -> Any:
        if not _url_under_history(url):
            return create_engine(url, **options)
        key = f"{url}|{sorted(options.items())!r}"
        with _engines_lock:
            engine = _engines.pop(key, None)
            if engine is None:
                engine = create_engine(url, **options)
            _engines[key] = engine  # the most recently used last
            while len(_engines) > ENGINES_KEPT:
                _engines.popitem(last=False)[1].dispose()
            return engine

    kept_engine.made_by = create_engine  # type: ignore[attr-defined]  # for the check in tests
    return kept_engine
