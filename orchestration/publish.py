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

from orchestration import cell_vintages, vintages
from orchestration.constants import PUBLIC_MARTS
from orchestration.coverage import (
    Coverage,
    coverage_refusal,
    has_table,
    likely_causes,
    previous_coverage,
    read_coverage,
)
from orchestration.seal import PUBLISHED_MODE, SEAL_COMMENT_SQL, changed_since_publish, seal
from orchestration.settings import dbt_var

# What every publish keeps and carries on: the indicator figures and the chain and district cells.
HISTORIES = (vintages.INDICATORS, cell_vintages.CELLS)

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
    findings_warn integer,
    coverage_override varchar
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
    coverage_override: str | None = None
    stale_wal: Path | None = None  # a previous snapshot's write-ahead log the swap removed
    revisions: int = 0  # figures of periods published before that this publish changed
    cell_revisions: int = 0  # chain and district values of periods published before that it changed


def credit_code_cells(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[str]:
    """Columns of `schema` holding a value shaped like a credit code: enterprise identities must not
    reach analysts."""
    hits = []
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        # this database's: an attached build has a schema of the same name
        "where table_catalog = current_database() and table_schema = ? and data_type = 'VARCHAR'",
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
    """Every table of the published snapshot as <table>.parquet, written beside and swapped in; `period`
    stays a Parquet DATE (pandas: pd.read_parquet(path, dtype_backend="pyarrow") keeps it a date)."""
    staging = parquet_dir.with_name(f".{parquet_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with duckdb.connect(str(analytics_db), read_only=True) as con:
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()]  # fmt: skip
        for table in tables:
            # rows in a fixed order, so that identical marts give identical bytes (DuckDB's scan order is not)
            target = str(staging / (table + ".parquet")).replace("'", "''")
            con.execute(f"copy (select * from marts.{table} order by all) to '{target}' (format parquet)")
    for written in staging.iterdir():
        written.chmod(PUBLISHED_MODE)  # published, as the snapshot is: read, never written in place
    replace_folder(staging, parquet_dir)
    return [parquet_dir / f"{table}.parquet" for table in tables]


def _history_schema(con: duckdb.DuckDBPyConnection, analytics_db: Path) -> str | None:
    """Where the earlier publishes are recorded (publish log, vintages, revisions): the build
    database's copy (the pipeline's own file), or the published snapshot when it records a later
    publish than that copy (a run killed between the swap and the copy, or a warehouse published
    before the copy existed), attached read-only as `previous`. An analyst's write lock on the
    snapshot costs only that fallback, never the publish."""
    in_build = has_table(con, "build", "meta", "publish_log")
    build_last = (
        con.execute("select max(published_at) from build.meta.publish_log").fetchone()[0]
        if in_build
        else None
    )
    if analytics_db.exists():
        try:
            con.execute("attach ? as previous (read_only)", [str(analytics_db)])
        except duckdb.Error:
            return "build.meta" if in_build else None
        if has_table(con, "previous", "marts", "publish_log"):
            snapshot_last = con.execute(
                "select max(published_at) from previous.marts.publish_log"
            ).fetchone()[0]
            if snapshot_last is not None and (build_last is None or snapshot_last > build_last):
                if changed := changed_since_publish(analytics_db):
                    raise PublishRefused(
                        f"refused to publish: the snapshot records a publish ({snapshot_last:%Y-%m-%d %H:%M}) the "
                        f"build database does not, and its history cannot be taken from it: {changed}. "
                        "Restore build.duckdb, or the snapshot from a backup of a publish; to start a new history "
                        f"on purpose, move {analytics_db.name} aside first"
                    )
                return "previous.marts"
        con.execute("detach previous")
    return "build.meta" if in_build else None


def _refuse_lost_history(con: duckdb.DuckDBPyConnection, analytics_db: Path) -> None:
    """Refused when no readable place records the earlier publishes: the build database has no copy
    (deleted, or rebuilt from scratch) and the snapshot beside it cannot be opened (an analyst's
    read-write connection, a damaged file). Publishing then would start the publish log, vintages and
    revisions again, and the coverage gate would have nothing to compare with."""
    if has_table(con, "build", "meta", "publish_log") or not analytics_db.exists():
        return
    try:
        con.execute("attach ? as previous (read_only)", [str(analytics_db)])
    except duckdb.Error as error:
        reason = str(error).strip().splitlines()[0]
        raise PublishRefused(
            f"refused to publish: the published snapshot {analytics_db} cannot be read ({reason}), and "
            "the build database holds no record of earlier publishes, so this publish would start the "
            "publish log, the indicator vintages and the revisions again. If a connection holds the "
            "snapshot read-write, close it (analysts open it with read_only=True) and run again; to "
            f"start a new history on purpose, move {analytics_db.name} aside first"
        ) from None
    con.execute("detach previous")


def _record_in_build(build_db: Path, history: dict[str, pa.Table], coverage: Coverage) -> None:
    """Keep the build database's copy of the publish log, vintages and revisions equal to the
    snapshot's, with the coverage the next publish is compared with."""
    rows = pa.table(  # noqa: F841 - read by DuckDB below
        {
            "period": list(coverage),
            "enterprises": [value[0] for value in coverage.values()],
            "revenue_yi": [value[1] for value in coverage.values()],
        },
        schema=pa.schema(
            [("period", pa.date32()), ("enterprises", pa.int64()), ("revenue_yi", pa.float64())]
        ),
    )
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists meta")
        for table, rows_of_table in history.items():
            con.register("history_rows", rows_of_table)
            con.execute(f"create or replace table meta.{table} as select * from history_rows")
            con.unregister("history_rows")
        con.execute("create or replace table meta.publish_coverage as select * from rows")


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


def publish(
    build_db: Path,
    analytics_db: Path,
    run_id: str,
    max_drop_share: float | None = None,
    accept_drop: str | None = None,
) -> PublishResult:
    """Copy the public marts from the build database into a new analytics.duckdb and swap it in.

    Refused (PublishRefused, the previous snapshot untouched): credit codes in the marts; no enterprise
    in scope; a drop in coverage beyond `max_drop_share` (default: dbt var publish_max_drop_share)
    unless `accept_drop` gives the operator's reason, which publish_log records."""
    if max_drop_share is None:
        max_drop_share = float(dbt_var("publish_max_drop_share"))
    analytics_db.parent.mkdir(parents=True, exist_ok=True)
    temporary = analytics_db.with_name(f".{analytics_db.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    stale_wal: Path | None = None
    swapped = False
    try:
        with duckdb.connect(str(temporary)) as con:
            con.execute("attach ? as build (read_only)", [str(build_db)])
            _refuse_lost_history(con, analytics_db)
            tables = _copy_marts(con)
            coverage, override = _coverage_gate(con, analytics_db, max_drop_share, accept_drop)
            logged = _log_publish(con, analytics_db, run_id, override)
            recorded = _history_tables(con)
            con.execute("detach build")
            con.execute("checkpoint")
        stale_wal = _set_aside_stale_wal(analytics_db)
        seal(temporary, analytics_db)
        os.replace(temporary, analytics_db)
        swapped = True
        _record_in_build(build_db, recorded, coverage)
    finally:
        temporary.unlink(missing_ok=True)
        Path(str(temporary) + ".wal").unlink(missing_ok=True)
        if stale_wal is not None:
            if swapped:
                stale_wal.unlink(missing_ok=True)
            else:  # the old snapshot stays: so does its log
                os.replace(stale_wal, Path(f"{analytics_db}.wal"))
    removed = Path(f"{analytics_db}.wal") if stale_wal is not None else None
    return PublishResult(
        analytics_db,
        tables,
        logged.first,
        logged.last,
        logged.errors,
        logged.warns,
        override,
        removed,
        logged.revisions,
        logged.cell_revisions,
    )


def _history_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """The publish log, vintages and revisions as this publish leaves them, for the build's copy."""
    tables = ("publish_log", *(name for kept in HISTORIES for name in (kept.vintages, kept.revisions)))
    return {table: con.sql(f"select * from marts.{table}").to_arrow_table() for table in tables}


def _copy_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The public marts of the attached build, copied under their snapshot names; their row counts.
    Refused if any holds a credit code."""
    con.execute("create schema marts")
    tables = {}
    for mart, model in PUBLIC_MARTS.items():
        con.execute(f"create table marts.{mart} as select * from build.marts.{model}")
        tables[mart] = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
    hits = credit_code_cells(con)
    if hits:
        raise PublishRefused(
            f"credit codes found in {', '.join(hits)}; the snapshot must hold aggregates only"
        )
    return tables


def _coverage_gate(
    con: duckdb.DuckDBPyConnection, analytics_db: Path, max_drop_share: float, accept_drop: str | None
) -> tuple[dict, str | None]:
    """The new marts' coverage, and the operator's override when a drop was accepted; refused otherwise."""
    coverage = read_coverage(con, "marts")
    previous, previous_label = previous_coverage(con, analytics_db)
    refusal = coverage_refusal(previous, coverage, max_drop_share, previous_label)
    if refusal is None:
        return coverage, None
    since = (
        con.execute("select max(published_at) from build.meta.publish_log").fetchone()[0]
        if has_table(con, "build", "meta", "publish_log")
        else None
    )
    causes = likely_causes(con, since)
    explained = (
        "; ".join(causes)
        if causes
        else "no file was rejected, refused or withdrawn since then: see the files ingested since (planwatch status)"
    )
    if not accept_drop:
        raise PublishRefused(
            f"refused to publish: {refusal}. Likely cause: {explained}. Fix the file and run "
            "again, or publish anyway with `planwatch run --accept-drop REASON` (recorded in "
            "marts.publish_log)"
        )
    return coverage, f"{accept_drop} (accepted: {refusal})"


@dataclass(frozen=True)
class _Logged:
    """What this publish wrote to marts.publish_log, for its result."""

    first: dt.date | None
    last: dt.date | None
    errors: int
    warns: int
    revisions: int
    cell_revisions: int


def _log_publish(
    con: duckdb.DuckDBPyConnection, analytics_db: Path, run_id: str, override: str | None
) -> _Logged:
    """marts.publish_log with the earlier publishes and this one, and the vintages and revisions."""
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
    published_at = dt.datetime.now().replace(microsecond=0)
    history = _history_schema(con, analytics_db)
    if history is not None:
        con.execute(f"insert into marts.publish_log by name select * from {history}.publish_log")
    # a publish is keyed by its time: never the time of an earlier one (two in a second, a clock set back)
    latest = con.execute("select max(published_at) from marts.publish_log").fetchone()[0]
    if latest is not None and published_at <= latest:
        published_at = latest + dt.timedelta(seconds=1)
    revisions, cell_revisions = (
        vintages.record(con, published_at, run_id, history, kept) for kept in HISTORIES
    )
    if history == "previous.marts":
        con.execute("detach previous")
    con.execute(
        "insert into marts.publish_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [published_at, run_id, first, last, periods, files_ingested, files_rejected, errors, warns, override],
    )
    con.execute(SEAL_COMMENT_SQL)
    return _Logged(first, last, errors, warns, revisions, cell_revisions)
