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
    started_at timestamp not null,
    finished_at timestamp,
    succeeded boolean,
    whole boolean not null,
    ledger_mark timestamp
)
"""
# The latest change the ledger records: a file ingested, superseded or withdrawn (summary.files_changed).
LEDGER_MARK = """
select max(coalesce(status_changed_at, first_seen_at)) from raw.ingest_ledger
where status in ('ingested', 'superseded', 'withdrawn')
"""


def build_started(build_db: Path, whole: bool) -> dt.datetime:
    """Record a build beginning (not finished until `build_finished`); `whole`: every model and
    test, not a selection of them. Returns its key."""
    started = dt.datetime.now()
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists meta")
        con.execute(BUILD_LOG_DDL)
        has_ledger = con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() "
            "and table_schema = 'raw' and table_name = 'ingest_ledger'"
        ).fetchone()[0]
        mark = con.execute(LEDGER_MARK).fetchone()[0] if has_ledger else None
        con.execute("insert into meta.dbt_builds values (?, null, null, ?, ?)", [started, whole, mark])
    return started


def build_finished(build_db: Path, started: dt.datetime, succeeded: bool) -> None:
    with duckdb.connect(str(build_db)) as con:
        con.execute(
            "update meta.dbt_builds set finished_at = ?, succeeded = ? where started_at = ?",
            [dt.datetime.now(), succeeded, started],
        )


def unbuilt_reason(build_db: Path) -> str | None:
    """Why the marts in `build_db` are not fit to publish, or None: a whole build must have passed
    after the last build that failed or did not finish (a failed blocking test leaves the table it
    rejected in place, which a selection may not rebuild), and after the last file the ledger records."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        has_log = con.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() "
            "and table_schema = 'meta' and table_name = 'dbt_builds'"
        ).fetchone()[0]
        if not has_log:
            return "build.duckdb holds no record of a dbt build (it was built by an older planwatch)"
        bad = con.execute(
            "select started_at, succeeded from meta.dbt_builds where succeeded is distinct from true "
            "order by started_at desc limit 1"
        ).fetchone()
        whole = con.execute(
            "select started_at, ledger_mark from meta.dbt_builds where whole and succeeded "
            "order by started_at desc limit 1"
        ).fetchone()
    if bad is not None and (whole is None or whole[0] < bad[0]):
        started, succeeded = bad
        if succeeded is None:
            return (
                f"the dbt build begun {started:%Y-%m-%d %H:%M:%S} did not finish (stopped, or still running)"
            )
        return (
            f"the dbt build of {started:%Y-%m-%d %H:%M:%S} failed (a model, or a blocking test: the run's log "
            "names it), so the marts may hold what it rejected"
        )
    if whole is None:
        return "no dbt build of the whole project has passed in build.duckdb"
    changed = files_changed(build_db, whole[1])
    if changed:
        return (
            f"{changed} files were ingested, superseded or withdrawn after the last whole dbt build "
            f"({whole[0]:%Y-%m-%d %H:%M:%S}), so the marts do not show them"
        )
    return None
