"""A minimal build database for the publish and run-safety tests (the public marts, one row each), and
the rows of a query on a DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.constants import PUBLIC_MARTS
from orchestration.ingest.ledger import LEDGER_DDL

# Every column the publish gates read, in any public mart: one table shape serves all of them.
_MART_COLUMNS = (
    "period date, severity varchar, subject varchar, district_code varchar, district_name varchar, "
    "enterprise_count integer, plan_id varchar, indicator_code varchar, actual_value double, "
    "yoy_growth_pct double, status varchar, chain_code varchar, revenue_ytd_yi double, rd_ytd_yi double, "
    "rd_intensity_pct double, digitalization_rate_pct double"
)


def write_build_db(
    path: Path,
    last_period: str = "2024-10-01",
    subject: str = "营业收入",
    ledger_file: str | None = None,
    earlier_periods: tuple[str, ...] = (),
) -> Path:
    """A build database whose public marts hold one row each (period `last_period`, 5 enterprises,
    100 亿元 of revenue, dq_findings' subject `subject`) and an ingest ledger, with one ingested
    filings file named `ledger_file` when it is given. chain_monthly and indicator_progress, which the
    coverage gate reads, have the same row again for each of `earlier_periods`."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema raw")
        for mart in PUBLIC_MARTS.values():  # the build's names (dq_findings_published)
            con.execute(f"create table marts.{mart} ({_MART_COLUMNS})")
            con.execute(
                f"insert into marts.{mart} values (?, 'warn', ?, '500101', '万州区', 5, 'p', 'revenue', 100, "
                "null, 'no_data', 'smart_terminal', 100, 1, 1, null)",
                [last_period, subject],
            )
        for period in earlier_periods:
            for mart in ("chain_monthly", "indicator_progress"):
                con.execute(
                    f"insert into marts.{mart} select * replace (?::date as period) from marts.{mart} "
                    "where period = ?::date",
                    [period, last_period],
                )
        con.execute(LEDGER_DDL)
        if ledger_file is not None:
            con.execute(
                "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, periods, first_seen_at) "
                "values (?, ?, 'filings', 'ingested', '2024-10', now()::timestamp)",
                [ledger_file, ledger_file],
            )
    return path


def copy_publish_history(source: Path, target: Path) -> Path:
    """Give `target`, a build database written by write_build_db, the publish history `source` keeps
    (schema meta), as the pipeline's next build of the same warehouse would have it."""
    with duckdb.connect(str(target)) as con:
        con.execute("attach ? as source (read_only)", [str(source)])
        con.execute("create schema if not exists meta")
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'source' and table_schema = 'meta'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create table meta.{table} as select * from source.meta.{table}")
    return target


def fetch(database: Path, sql: str) -> list[tuple]:
    """The rows of one query on a DuckDB file opened read-only, as an analyst opens the snapshot."""
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()
