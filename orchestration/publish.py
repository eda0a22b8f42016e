"""Publish the analyst snapshot: the marts only, written beside the old snapshot and swapped in.

Analysts hold read-only connections to analytics.duckdb. A new snapshot is written under a temporary
name and moved into place with one os.replace: open connections keep reading the old file, new ones
see the new file, and a failure before the rename leaves the old snapshot exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.constants import PUBLIC_MARTS

# GB 32100-2015 credit codes: 18 characters from the code's alphabet (no I, O, Z, S, V).
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY]$"

PUBLISH_LOG_DDL = """
create table if not exists marts.publish_log (
    published_at timestamp not null,
    run_id varchar not null,
    first_period date,
    last_period date,
    periods_covered integer,
    files_ingested integer,
    files_rejected integer,
    findings_error integer,
    findings_warn integer
)
"""


class PublishRefused(Exception):
    """The new snapshot failed a publication check; the previous snapshot is untouched."""


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]
    first_period: dt.date | None
    last_period: dt.date | None
    findings_error: int
    findings_warn: int
    stale_wal: Path | None = None  # a previous snapshot's write-ahead log the swap removed


def credit_code_cells(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[str]:
    """Columns of `schema` holding a value shaped like a credit code: enterprise identities must not
    reach analysts."""
    hits = []
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and data_type = 'VARCHAR'",
        [schema],
    ).fetchall()
    for table, column in columns:
        found = con.execute(
            f'select count(*) from {schema}."{table}" where regexp_matches("{column}", ?)', [USCC_PATTERN]
        ).fetchone()[0]
        if found:
            hits.append(f"{table}.{column} ({found} values)")
    return hits


def replace_folder(new: Path, target: Path) -> None:
    """Put a freshly written folder in place of `target`; the old one is removed only after."""
    old = target.with_name(f".{target.name}.old.{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)


def export_parquet(analytics_db: Path, parquet_dir: Path) -> list[Path]:
    """Every table of the published snapshot as <table>.parquet, written beside and swapped in."""
    staging = parquet_dir.with_name(f".{parquet_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with duckdb.connect(str(analytics_db), read_only=True) as con:
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()]  # fmt: skip
        for table in tables:
            con.execute(f"copy marts.{table} to '{staging / (table + '.parquet')}' (format parquet)")
    replace_folder(staging, parquet_dir)
    return [parquet_dir / f"{table}.parquet" for table in tables]


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = ? and table_schema = ? and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
    )


def _carry_publish_history(con: duckdb.DuckDBPyConnection, analytics_db: Path) -> None:
    """Earlier publishes, from the build database's copy of the log (the pipeline's own file), or,
    for a warehouse published before that copy existed, from the current snapshot. The snapshot is
    only read, and an analyst's lock on it costs the history's old rows, never the publish."""
    if _has_table(con, "build", "meta", "publish_log"):
        con.execute("insert into marts.publish_log by name select * from build.meta.publish_log")
        return
    if not analytics_db.exists():
        return
    try:
        con.execute(f"attach '{analytics_db}' as previous (read_only)")
    except duckdb.Error:
        return
    if _has_table(con, "previous", "marts", "publish_log"):
        con.execute("insert into marts.publish_log by name select * from previous.marts.publish_log")
    con.execute("detach previous")


def _record_in_build(build_db: Path, log: pa.Table) -> None:
    """Keep the build database's copy of the publish log equal to the snapshot's."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists meta")
        con.execute("create or replace table meta.publish_log as select * from log")


def _set_aside_stale_wal(analytics_db: Path) -> Path | None:
    """A .wal beside the snapshot belongs to the file about to be replaced: an analyst's read-write
    connection wrote it and never checkpointed (killed, or still open). Beside the new file it would
    make every reader fail with "WAL does not match database file", so it leaves with the old file."""
    wal = Path(f"{analytics_db}.wal")
    if not wal.exists():
        return None
    aside = analytics_db.with_name(f".{analytics_db.name}.wal.stale.{os.getpid()}")
    os.replace(wal, aside)
    return aside


def publish(build_db: Path, analytics_db: Path, run_id: str) -> PublishResult:
    """Copy the public marts from the build database into a new analytics.duckdb and swap it in."""
    analytics_db.parent.mkdir(parents=True, exist_ok=True)
    temporary = analytics_db.with_name(f".{analytics_db.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    stale_wal: Path | None = None
    swapped = False
    try:
        with duckdb.connect(str(temporary)) as con:
            con.execute(f"attach '{build_db}' as build (read_only)")
            con.execute("create schema marts")
            tables = {}
            for mart in PUBLIC_MARTS:
                con.execute(f"create table marts.{mart} as select * from build.marts.{mart}")
                tables[mart] = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            hits = credit_code_cells(con)
            if hits:
                raise PublishRefused(
                    f"credit codes found in {', '.join(hits)}; the snapshot must hold aggregates only"
                )
            first, last, periods = con.execute(
                "select min(period), max(period), count(distinct period) from marts.indicator_progress"
            ).fetchone()
            files_ingested, files_rejected = con.execute(
                "select count(*) filter (where status = 'ingested'), count(*) filter (where status = 'rejected') "
                "from build.raw.ingest_ledger"
            ).fetchone()
            errors, warns = con.execute(
                "select count(*) filter (where severity = 'error'), count(*) filter (where severity = 'warn') "
                "from marts.dq_findings"
            ).fetchone()
            con.execute(PUBLISH_LOG_DDL)
            _carry_publish_history(con, analytics_db)
            con.execute(
                "insert into marts.publish_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    dt.datetime.now().replace(microsecond=0),
                    run_id,
                    first,
                    last,
                    periods,
                    files_ingested,
                    files_rejected,
                    errors,
                    warns,
                ],
            )
            log = con.sql("select * from marts.publish_log").to_arrow_table()
            con.execute("detach build")
            con.execute("checkpoint")
        stale_wal = _set_aside_stale_wal(analytics_db)
        os.replace(temporary, analytics_db)
        swapped = True
        _record_in_build(build_db, log)
    finally:
        temporary.unlink(missing_ok=True)
        Path(str(temporary) + ".wal").unlink(missing_ok=True)
        if stale_wal is not None:
            if swapped:
                stale_wal.unlink(missing_ok=True)
            else:  # the old snapshot stays: so does its log
                os.replace(stale_wal, Path(f"{analytics_db}.wal"))
    removed = Path(f"{analytics_db}.wal") if stale_wal is not None else None
    return PublishResult(analytics_db, tables, first, last, errors, warns, removed)
