"""Which dbt builds of the build database began, which finished, and what the raw tables held when
each began (meta.dbt_builds), so that a publish can tell marts that are the verdict of a whole,
passing build over the files ingested from marts left by a build that failed its blocking tests,
stopped half way, or came before files that were ingested since. In one `planwatch run` Dagster
already skips the publish after a failed build; a publish materialized on its own (the UI, `dagster
asset materialize`) has only this record to go by."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orchestration.summary import files_changed

BUILD_LOG_DDL = """
create table if not exists meta.dbt_builds (
    build_id integer,
    started_at timestamp not null,
    finished_at timestamp,
    outcome varchar,
    whole boolean not null,
    ledger_mark timestamp
)
"""
# How a build ended; NULL while it runs, and for ever when its process was killed.
PASSED, FAILED, STOPPED = "passed", "failed", "stopped"
# The latest change the ledger records: a file ingested, superseded or withdrawn (summary.files_changed).
LEDGER_MARK = """
select max(coalesce(status_changed_at, first_seen_at)) from raw.ingest_ledger
where status in ('ingested', 'superseded', 'withdrawn')
"""


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() "
            "and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def build_started(build_db: Path, whole: bool) -> int:
    """Record a build beginning (unfinished until `build_finished`); `whole`: every model and test,
    not a selection of them. Returns its number: builds are ordered by it, not by the clock, which a
    code server and the command line may read in different time zones."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists meta")
        con.execute(BUILD_LOG_DDL)
        mark = con.execute(LEDGER_MARK).fetchone()[0] if _has_table(con, "raw", "ingest_ledger") else None
        (build_id,) = con.execute("select coalesce(max(build_id), 0) + 1 from meta.dbt_builds").fetchone()
        con.execute(
            "insert into meta.dbt_builds values (?, ?, null, null, ?, ?)",
            [build_id, dt.datetime.now(), whole, mark],
        )
    return build_id


def build_finished(build_db: Path, build_id: int, outcome: str) -> None:
    with duckdb.connect(str(build_db)) as con:
        con.execute(
            "update meta.dbt_builds set finished_at = ?, outcome = ? where build_id = ?",
            [dt.datetime.now(), outcome, build_id],
        )


def unbuilt_reason(build_db: Path) -> str | None:
    """Why the marts in `build_db` are not fit to publish, or None: a whole build must have passed
    after the last build that failed, was stopped or did not finish (a failed blocking test leaves the
    table it rejected in place, which a selection may not rebuild), and after the last file the
    ledger records."""
    if not build_db.exists():
        return f"there is no build database ({build_db})"
    with duckdb.connect(str(build_db), read_only=True) as con:
        if not _has_table(con, "meta", "dbt_builds"):
            return "build.duckdb holds no record of a dbt build (it was built by an older planwatch)"
        bad = con.execute(
            "select build_id, started_at, outcome from meta.dbt_builds where outcome is distinct from ? "
            "order by build_id desc limit 1",
            [PASSED],
        ).fetchone()
        whole = con.execute(
            "select build_id, started_at, ledger_mark from meta.dbt_builds where whole and outcome = ? "
            "order by build_id desc limit 1",
            [PASSED],
        ).fetchone()
    if bad is not None and (whole is None or whole[0] < bad[0]):
        _, started, outcome = bad
        if outcome is None:
            return (
                f"the dbt build begun {started:%Y-%m-%d %H:%M:%S} did not finish (killed, or still running)"
            )
        if outcome == STOPPED:
            return f"the dbt build begun {started:%Y-%m-%d %H:%M:%S} was stopped before it finished"
        return (
            f"the dbt build of {started:%Y-%m-%d %H:%M:%S} failed (a model, or a blocking test: the run's log "
            "names it), so the marts may hold what it rejected"
        )
    if whole is None:
        return "no dbt build of the whole project has passed in build.duckdb"
    changed = files_changed(build_db, whole[2])
    if changed:
        return (
            f"{changed} files were ingested, superseded or withdrawn after the last whole dbt build "
            f"({whole[1]:%Y-%m-%d %H:%M:%S}), so the marts do not show them"
        )
    return None
