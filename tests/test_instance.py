"""The Dagster instance's SQLite files as planwatch writes them (orchestration/instance.py): one engine per
file under $DAGSTER_HOME, commits without fsync, files any Dagster process reads."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

from dagster._core.storage import sql
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

from orchestration import instance

WRITER = """
import sqlite3, sys
import dagster as dg
import sqlalchemy
from orchestration import instance
instance.relax_history_fsync()
with dg.DagsterInstance.get() as dagster:
    for index in range(int(sys.argv[2])):
        dagster.report_runless_asset_event(dg.AssetMaterialization(asset_key=f"asset_{index % 5}"))
kept = list(instance._engines)
print(len(kept), all(key.startswith("sqlite:///" + sys.argv[1]) for key in kept))
for engine in [instance._engines[kept[0]], sqlalchemy.create_engine("sqlite:///" + sys.argv[3])]:
    with engine.connect() as connection:
        print(connection.exec_driver_sql("pragma synchronous").scalar())
"""

READER = """
import dagster as dg
with dg.DagsterInstance.get() as dagster:
    print(sum(len(dagster.fetch_materializations(dg.AssetKey(f"asset_{n}"), limit=100).records) for n in range(5)))
"""


def test_the_functions_replaced_are_still_the_ones_dagster_calls() -> None:
    """Dagster's SQLite storages build an engine per connection with the create_engine of their module;
    planwatch hands them a kept one. A Dagster upgrade that changes either shows here."""
    instance.relax_history_fsync()
    for name in instance.ENGINE_MODULES:
        assert sys.modules[name].create_engine.made_by is sql.create_engine, name
    for method in (SqliteEventLogStorage._connect, SqliteRunStorage.connect):
        source = inspect.getsource(method)
        assert "create_engine(" in source and "poolclass=NullPool" in source, source


def test_events_go_through_one_engine_per_file_without_fsync_and_any_process_reads_them(
    tmp_path: Path,
) -> None:
    """60 events: the engines kept are the history's files (the index and runs.db), not one per event; a
    connection to them commits without fsync (synchronous 0), one to a file elsewhere is left as SQLite
    has it (2, FULL); a plain Dagster process, as the UI is, reads every event back."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    wrote = subprocess.run(
        [sys.executable, "-c", WRITER, str(home), "60", str(tmp_path / "elsewhere.db")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert wrote.returncode == 0, wrote.stderr[-3000:]
    count, all_under_home, kept_sync, elsewhere_sync = wrote.stdout.split()
    assert 1 <= int(count) <= 3 and all_under_home == "True", wrote.stdout
    assert (kept_sync, elsewhere_sync) == ("0", "2")
    read = subprocess.run(
        [sys.executable, "-c", READER], capture_output=True, text=True, env=env, timeout=120
    )
    assert read.returncode == 0, read.stderr[-3000:]
    assert read.stdout.split() == ["60"]
