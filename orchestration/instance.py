"""How the Dagster instance's SQLite files (warehouse/.dagster) are written.

Dagster stores every event of a run (a planned and a finished event per asset, one per dbt test: about
1,300 for one `planwatch run`) through a new SQLite connection with a commit SQLite makes durable by
fsync, and in WAL mode the last connection's close checkpoints with another fsync. Measured here
(bench/dagster_events.py): 40-50 ms an event, half a minute of every run, against 13 ms with
`synchronous=OFF`. The run history is a record of what ran, not the warehouse's data (that is DuckDB
and raw.ingest_ledger, which keep their own durability): a process that is killed loses nothing with
OFF; only an operating-system crash or a power cut in the middle of a run can leave the history
database damaged, and `rm -r warehouse/.dagster` then starts a new one without touching a figure.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

_installed: list[bool] = []


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
    from sqlalchemy.engine import Engine

    @sqlalchemy.event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection, _record) -> None:
        home = os.environ.get("DAGSTER_HOME")
        connection = dbapi_connection
        if home and isinstance(connection, sqlite3.Connection) and _under(Path(home).resolve(), connection):
            connection.execute("pragma synchronous=OFF")

    _installed.append(True)
