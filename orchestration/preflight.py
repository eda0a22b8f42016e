"""What a run checks before it starts, so that it refuses rather than misleads: a warehouse inside the
raw folder, a warehouse path Great Expectations would rewrite, a build database that cannot be opened,
a clock behind the times the warehouse recorded, and Dagster runs that a killed process left "in
progress" (the run queue would wait for them forever).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orchestration import locking

# A Dagster run holds the warehouse's run lock from its first step to its end (in-process executor);
# one that has been "in progress" this long while the lock is free has lost its process. The margin
# covers the seconds between a run's start and its first step taking the lock.
DEAD_RUN_AFTER_SECONDS = 300


class ClockBehind(Exception):
    """The clock reads earlier than a time the warehouse recorded; the message says what to do."""


def folder_problem(raw_dir: Path, warehouse_dir: Path) -> str | None:
    """Why the raw and warehouse folders cannot be used together, or None."""
    raw, warehouse = Path(raw_dir).resolve(), Path(warehouse_dir).resolve()
    if warehouse == raw or warehouse.is_relative_to(raw):
        return (
            f"the warehouse folder {warehouse} is inside the raw folder {raw}: a run would read its own "
            "databases, logs and archive as input files; put the warehouse outside the raw folder"
        )
    if "$" in str(warehouse):
        return (
            f"the warehouse folder {warehouse} has a '$' in its path, which Great Expectations reads as an "
            "environment variable (its Data Docs would be written elsewhere); choose a path without '$'"
        )
    return None


def clock_problem(now: dt.datetime, latest: dt.datetime | None) -> str | None:
    """Why a run must not start at `now` when the warehouse recorded `latest` (a file's arrival, a
    status change, a publish), or None. Files are ranked by when they arrived: taken at a time earlier
    than what an earlier run recorded, a correction would lose to the file it corrects."""
    if latest is None or now >= latest:
        return None
    return (
        f"the clock reads {now:%Y-%m-%d %H:%M:%S}, earlier than {latest:%Y-%m-%d %H:%M:%S}, a time this "
        "warehouse has already recorded (a file's arrival). Files are ranked by when they "
        "arrived, so a file taken now would rank below earlier ones and a correction could lose to what "
        "it corrects: nothing was read or published. If this machine's clock is behind, set it right and "
        "run again. If it is right, an earlier run's clock was ahead and stamped its files in the future: "
        "runs stay refused until then; to go on now, build a new warehouse from the raw folder "
        "(planwatch run --warehouse NEW_FOLDER)"
    )


def latest_recorded(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The latest time the ingest ledger of a build database recorded (a file's arrival or change of
    status); None before the first ingest. (A publish's time is not used: two publishes in one second
    are kept a second apart, so it may run ahead of the clock by design.)"""
    columns = {
        column
        for (column,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'ingest_ledger'"
        ).fetchall()
    }
    times = [f"max({column})" for column in ("first_seen_at", "status_changed_at") if column in columns]
    if not times:
        return None
    return con.execute(f"select greatest({', '.join(times)}) from raw.ingest_ledger").fetchone()[0]


def build_problem(build_db: Path, now: dt.datetime) -> str | None:
    """Why a run must not start on this build database: it cannot be opened (damaged), or the clock
    is behind it. None when it is fine or does not exist yet."""
    if not Path(build_db).exists():
        return None
    try:
        con = duckdb.connect(str(build_db), read_only=True)
    except duckdb.Error as exc:
        if locking.is_lock_error(str(exc)):
            return None  # held by a reader for a moment: the run's own connection waits for it
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return damaged_build_message(Path(build_db), reason)
    with con:
        return clock_problem(now, latest_recorded(con))


def damaged_build_message(build_db: Path, reason: str) -> str:
    return (
        f"{build_db} cannot be opened (DuckDB: {reason}). Move it aside (mv {build_db.name} "
        f"{build_db.name}.damaged) and run again: the run builds it again from the raw folder, and the "
        "publish history carries on from the published snapshot"
    )


def fail_dead_runs(instance, now: dt.datetime | None = None) -> list[str]:
    """Mark as failed the Dagster runs still 'in progress' whose process is gone: call only while no
    live run holds the warehouse's lock (the caller holds it, or nobody does). Returns their ids."""
    import dagster as dg

    now = now or dt.datetime.now(dt.UTC)
    stuck = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    )
    failed = []
    for record in stuck:
        since = (
            dt.datetime.fromtimestamp(record.start_time, dt.UTC)
            if record.start_time
            else record.create_timestamp.replace(tzinfo=record.create_timestamp.tzinfo or dt.UTC)
        )
        if (now - since).total_seconds() < DEAD_RUN_AFTER_SECONDS:
            continue
        instance.report_run_failed(
            record.dagster_run,
            message=(
                f"planwatch: this run was in progress since {since:%Y-%m-%d %H:%M} UTC without holding the "
                "warehouse's run lock: its process was killed. Marked failed so that the run queue, the "
                "schedule and the sensor go on"
            ),
        )
        failed.append(record.dagster_run.run_id)
    return failed
