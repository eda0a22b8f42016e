"""The raw schema and the ledger: one raw table per kind (every row with its file, sheet, row and the
file's sha256) and raw.ingest_ledger, one row per file seen (path and content) and what became of it.
A file's rows are identified by (file_sha256, source_file), so loading a file again replaces them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from orchestration.ingest.files import RawFile, Refusal
from orchestration.ingest.kinds import Kind
from orchestration.ingest.reader import (
    ParsedFile,
)
from orchestration.ingest.values import named_period

MONEY = pa.decimal128(38, 6)
LOAD_BATCH_ROWS = 50_000
PROVENANCE: list[tuple[str, pa.DataType]] = [
    ("source_file", pa.string()),
    ("source_sheet", pa.string()),
    ("source_row", pa.int32()),
    ("file_sha256", pa.string()),
    ("ingested_at", pa.timestamp("us")),
    # Columns the kind does not know, as JSON {header: value}: kept aside, never dropped.
    ("extra_columns", pa.string()),
]
TEXT = pa.string()
TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(
        (
            "uscc",
            "enterprise_name",
            "district_raw",
            "district_code",
            "industry_raw",
            "industry_code",
            "chain_raw",
        ),
        TEXT,
    ),
    "chain_code": TEXT,
    "above_scale": pa.bool_(),
    "registry_year": pa.int32(),
    "period": pa.date32(),
    "revenue_ytd_wan": MONEY,
    "rd_ytd_wan": MONEY,
    "employees": pa.int32(),
    "survey_year": pa.int32(),
    "design": pa.bool_(),
    "production": pa.bool_(),
    "management": pa.bool_(),
    "sales": pa.bool_(),
    "enterprise_count": pa.int32(),
    "yoy_pct": pa.decimal128(18, 6),
}
"""A raw column's type wherever it stands, by name: a column must be here to be in a raw table."""
_COLUMN_NAMES = {
    "registry": (
        "uscc enterprise_name district_raw district_code industry_code chain_raw chain_code above_scale registry_year"
    ),
    "filings": "uscc enterprise_name district_raw district_code period revenue_ytd_wan rd_ytd_wan employees",
    "surveys": "uscc survey_year design production management sales",
    "district_submissions": "district_raw district_code period enterprise_count revenue_ytd_wan rd_ytd_wan",
    "bureau": "period industry_raw industry_code revenue_ytd_wan yoy_pct",
}
COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    table: [(name, TYPES[name]) for name in names.split()] for table, names in _COLUMN_NAMES.items()
}
"""Each raw table's columns in order, with their types."""
LEDGER_DDL = """
create table if not exists raw.ingest_ledger (
    file_sha256 varchar not null,
    source_file varchar not null,
    kind varchar not null,
    status varchar not null,
    reason varchar,
    periods varchar,
    districts varchar,
    rows_read integer,
    rows_kept integer,
    first_seen_at timestamp not null,
    run_id varchar,
    superseded_by varchar,
    status_changed_at timestamp,
    named_period varchar,
    reader_notes varchar,
    money_units varchar
)
"""
_DUCK_TYPES = {
    pa.string(): "varchar",
    pa.int32(): "integer",
    pa.bool_(): "boolean",
    pa.date32(): "date",
    pa.timestamp("us"): "timestamp",
    MONEY: "decimal(38, 6)",
    pa.decimal128(18, 6): "decimal(18, 6)",
}


def schema_for(table: str) -> pa.Schema:
    return pa.schema(PROVENANCE + COLUMNS[table])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, its tables and the ledger if they are not there yet, and add columns
    that a newer planwatch knows to a warehouse built by an older one."""
    con.execute("create schema if not exists raw")
    for table in COLUMNS:
        columns = ",\n    ".join(f"{f.name} {_DUCK_TYPES[f.type]}" for f in schema_for(table))
        con.execute(f"create table if not exists raw.{table} (\n    {columns}\n)")
        for f in schema_for(table):
            con.execute(f"alter table raw.{table} add column if not exists {f.name} {_DUCK_TYPES[f.type]}")
    con.execute(LEDGER_DDL)
    # added after the first release: when the status last changed (superseded, withdrawn, back)
    con.execute("alter table raw.ingest_ledger add column if not exists status_changed_at timestamp")
    # added later: what the reader left unread or read with a doubt (a sheet named 填报说明, rows
    # hidden in Excel), one per line, so that `planwatch status` says it after the run's log is gone
    con.execute("alter table raw.ingest_ledger add column if not exists reader_notes varchar")
    # added later: the units of money columns not in 万元, which the messages' figures are converted from
    con.execute("alter table raw.ingest_ledger add column if not exists money_units varchar")
    # added later: the month a file's name gives, read once here, so the build never re-reads names
    if not con.execute(
        "select count(*) from information_schema.columns where table_catalog = current_database() "
        "and table_schema = 'raw' and table_name = 'ingest_ledger' and column_name = 'named_period'"
    ).fetchone()[0]:
        con.execute("alter table raw.ingest_ledger add column named_period varchar")
        files = [
            path for (path,) in con.execute("select distinct source_file from raw.ingest_ledger").fetchall()
        ]
        named = [(month, path) for path in files if (month := named_period(path))]
        if named:
            con.executemany("update raw.ingest_ledger set named_period = ? where source_file = ?", named)


@dataclass
class LedgerEntry:
    sha256: str
    source_file: str
    status: str
    periods: frozenset[str]
    districts: frozenset[str]
    superseded_by: str | None = None  # the path of the file that superseded this one, if one did


def _ledger(con: duckdb.DuckDBPyConnection, kind: str) -> dict[tuple[str, str], LedgerEntry]:
    rows = con.execute(
        "select file_sha256, source_file, status, coalesce(periods, ''), coalesce(districts, ''), "
        "superseded_by from raw.ingest_ledger where kind = ?",
        [kind],
    ).fetchall()
    return {
        (sha, source): LedgerEntry(
            sha,
            source,
            status,
            frozenset(filter(None, periods.split(","))),
            frozenset(filter(None, districts.split(","))),
            superseded_by,
        )
        for sha, source, status, periods, districts, superseded_by in rows
    }


def _load_rows(
    con: duckdb.DuckDBPyConnection, kind: Kind, raw_file: RawFile, parsed: ParsedFile, now: dt.datetime
) -> int:
    schema = schema_for(kind.table)
    _delete_rows(con, kind, raw_file.sha256, raw_file.rel)
    provenance = {"source_file": raw_file.rel, "file_sha256": raw_file.sha256, "ingested_at": now}
    # In slices, so that a large file is never held as Python rows and as Arrow columns in full at once.
    for start in range(0, len(parsed.rows), LOAD_BATCH_ROWS):
        rows = parsed.rows[start : start + LOAD_BATCH_ROWS]
        columns = {
            name: [provenance[name] if name in provenance else row.get(name) for row in rows]
            for name in schema.names
        }
        batch = pa.Table.from_pydict(columns, schema=schema)  # noqa: F841 - read by DuckDB below
        con.execute(f"insert into raw.{kind.table} by name select * from batch")
        del columns, batch
    return len(parsed.rows)


def _delete_rows(con: duckdb.DuckDBPyConnection, kind: Kind, sha256: str, source_file: str) -> None:
    con.execute(
        f"delete from raw.{kind.table} where file_sha256 = ? and source_file = ?", [sha256, source_file]
    )


def _record(
    con: duckdb.DuckDBPyConnection,
    raw_file: RawFile | Refusal,
    status: str,
    now: dt.datetime,
    run_id: str | None,
    reason: str | None = None,
    periods: Iterable[str] = (),
    districts: Iterable[str] = (),
    rows: int | None = None,
    first_seen_at: dt.datetime | None = None,
    notes: Iterable[str] = (),
    units: dict[str, str] | None = None,
) -> None:
    """One ledger row per (content, path); a file seen again after it was withdrawn gets its row back.
    `now` is when the status was set; `first_seen_at` when the file first arrived, if earlier; `notes`
    what the reader said of the file (`_IngestRun._say_what_is_hidden`)."""
    con.execute(
        "delete from raw.ingest_ledger where file_sha256 = ? and source_file = ?",
        [raw_file.sha256, raw_file.rel],
    )
    con.execute(
        """
        insert into raw.ingest_ledger by name
        select
            ? as file_sha256, ? as source_file, ? as kind, ? as status, ? as reason, ? as periods,
            ? as districts, ? as rows_read, ? as rows_kept, ? as first_seen_at, ? as run_id,
            ? as status_changed_at, ? as named_period, ? as reader_notes, ? as money_units
        """,
        [
            raw_file.sha256,
            raw_file.rel,
            raw_file.kind,
            status,
            reason,
            ",".join(sorted(periods)) or None,
            ",".join(sorted(districts)) or None,
            rows,
            rows,
            first_seen_at or now,
            run_id,
            now,
            named_period(raw_file.rel),
            "\n".join(notes) or None,
            units_text(units),
        ],
    )


def units_text(units: dict[str, str] | None) -> str | None:
    """The money columns not in 万元 as the ledger keeps them, in the file's column order:
    "营业收入（千元）：千元；…"; None when none."""
    return "；".join(f"{label}：{unit}" for label, unit in (units or {}).items()) or None


def _set_notes(
    con: duckdb.DuckDBPyConnection, raw_file: RawFile, notes: list[str], units: dict[str, str] | None = None
) -> None:
    """What the reader says of a file read again (a reload, a file back in place), and the units of its
    money columns: today's reading, also for a file first read before the ledger kept them."""
    con.execute(
        "update raw.ingest_ledger set reader_notes = ?, money_units = ? where file_sha256 = ? and source_file = ?",
        ["\n".join(notes) or None, units_text(units), raw_file.sha256, raw_file.rel],
    )


def _set_status(
    con: duckdb.DuckDBPyConnection,
    entry: LedgerEntry,
    status: str,
    now: dt.datetime,
    reason: str | None = None,
    superseded_by: str | None = None,
) -> None:
    # the reason is the new status's (none for a superseded file, which `superseded_by` explains): a
    # file superseded again after it came back no longer says "back in place of …"
    con.execute(
        "update raw.ingest_ledger set status = ?, reason = ?, "
        "superseded_by = coalesce(?, superseded_by), status_changed_at = ? "
        "where file_sha256 = ? and source_file = ?",
        [status, reason, superseded_by, now, entry.sha256, entry.source_file],
    )
    entry.status = status


def _withdraw(
    con: duckdb.DuckDBPyConnection,
    kind: Kind,
    seen: dict[tuple[str, str], LedgerEntry],
    present: set[tuple[str, str]],
    now: dt.datetime,
    report: IngestReport,
    unread: Iterable[str] = (),
) -> None:
    """A file that was ingested and is no longer under raw/ (with the same content) is withdrawn: its
    rows leave the raw table, so they leave the marts on this run; the ledger keeps the entry.

    `unread`: folders refused unread (a symbolic link in place of a folder). A file under one is kept:
    nothing there was looked at, so nothing is known to have left. What a withdrawn file superseded
    comes back in its place (`_stranded`, and the loader's `_IngestRun.bring_back`)."""
    folders = tuple(f"{rel}/" for rel in unread)
    paths_present = {rel for _, rel in present}
    for key, entry in seen.items():
        if entry.status not in ("ingested", "duplicate") or key in present:
            continue
        if entry.source_file.startswith(folders):
            continue
        if entry.status == "ingested":
            _delete_rows(con, kind, entry.sha256, entry.source_file)
        # the same path with other bytes (a file completed or edited in place) is a new file, read on
        # its own: the old content is what left
        gone = (
            "was replaced in place by other content"
            if entry.source_file in paths_present
            else "is no longer under raw/"
        )
        _set_status(
            con, entry, "withdrawn", now, f"{entry.source_file} {gone} (noticed {now:%Y-%m-%d %H:%M})"
        )
        report.withdrawn.append(entry.source_file)


def _stranded(seen: dict[tuple[str, str], LedgerEntry], unread: Iterable[str] = ()) -> list[LedgerEntry]:
    """Superseded files whose correction is no longer in: following `superseded_by` from one reaches
    no ingested file (the file that superseded it was withdrawn or rejected, or was itself superseded by
    one that was). Only the latest of each chain is listed: it comes back if it is still under raw/, or
    is withdrawn if it left too, and then the one it superseded is listed in turn. A file superseded
    before the ledger recorded by what, and anything under a folder refused unread (`unread`, see
    _withdraw), is left as it is."""
    folders = tuple(f"{rel}/" for rel in unread)
    by_path: dict[str, list[LedgerEntry]] = {}
    for entry in seen.values():
        by_path.setdefault(entry.source_file, []).append(entry)

    def replaced(entry: LedgerEntry, visited: frozenset[tuple[str, str]]) -> bool:
        if entry.superseded_by is None or entry.superseded_by.startswith(folders):
            return True
        for newer in by_path.get(entry.superseded_by, []):
            key = (newer.sha256, newer.source_file)
            if newer.status == "ingested" or (
                newer.status == "superseded" and key not in visited and replaced(newer, visited | {key})
            ):
                return True
        return False

    stranded = [
        entry
        for key, entry in seen.items()
        if entry.status == "superseded"
        and not entry.source_file.startswith(folders)
        and not replaced(entry, frozenset({key}))
    ]
    ids = {id(entry) for entry in stranded}
    latest = [
        entry
        for entry in stranded
        if not any(id(newer) in ids for newer in by_path.get(entry.superseded_by or "", []))
    ]
    # a path used again can close a loop (A superseded by B, B by a new version of A's path): then
    # there is no latest, and every file of the loop is decided at once
    return latest or stranded


@dataclass
class IngestReport:
    """What one ingest call did, for the asset's metadata and the run's log."""

    kind: str
    ingested: list[str] = field(default_factory=list)
    reloaded: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # superseded files back in place of a withdrawn one
    refused: dict[str, str] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
    rows_loaded: int = 0
