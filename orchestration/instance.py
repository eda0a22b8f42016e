"""How the Dagster instance's SQLite files under warehouse/.dagster are written.

Dagster stores every event of a run (a planned and a finished event per asset, one per dbt test: about
1,300 for one `planwatch run`) through a new SQLAlchemy engine and SQLite connection, with a commit
that SQLite makes durable by fsync; in WAL mode the close checkpoints with another fsync. Measured
here by bench/dagster_events.py: 40-50 ms an event, half a minute of every run, against about 10 ms
with `synchronous=OFF`, which planwatch sets on every SQLite connection to a file under $DAGSTER_HOME.
The run history is a record of what ran, not the warehouse's data (that is DuckDB and
raw.ingest_ledger, which keep their own durability): a killed process loses nothing; only an
operating-system crash or a power cut during a run can damage the history, and
`rm -r warehouse/.dagster` then starts a new one without touching a figure.

(Keeping one SQLAlchemy engine per database file instead of one per event saved a few seconds more,
but left DuckDB objects alive at interpreter exit, which nanobind then reports as leaks on every run.)
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

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
    def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
        home = os.environ.get("DAGSTER_HOME")
        connection = dbapi_connection
        if home and isinstance(connection, sqlite3.Connection) and _under(Path(home).resolve(), connection):
            connection.execute("pragma synchronous=OFF")

    _installed.append(True)
