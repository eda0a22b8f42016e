"""Load received files into DuckDB's raw schema and keep the ledger of every file seen.

A file's rows are loaded whole and identified by (file_sha256, source_file), so loading a file again
replaces its rows instead of doubling them. The ledger has one row per file seen (path and content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.kinds import KINDS, Kind
from orchestration.ingest.reader import SUPPORTED_SUFFIXES, FileRejected, Limits, ParsedFile, parse_file
from orchestration.ingest.values import find_period

MONEY = pa.decimal128(38, 6)
PROVENANCE: list[tuple[str, pa.DataType]] = [
    ("source_file", pa.string()),
    ("source_sheet", pa.string()),
    ("source_row", pa.int32()),
    ("file_sha256", pa.string()),
    ("ingested_at", pa.timestamp("us")),
    # Columns the kind does not know, as JSON {header: value}: kept aside, never dropped.
    ("extra_columns", pa.string()),
]
COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "registry": [
        ("uscc", pa.string()),
        ("enterprise_name", pa.string()),
        ("district_raw", pa.string()),
        ("district_code", pa.string()),
        ("industry_code", pa.string()),
        ("chain_raw", pa.string()),
        ("chain_code", pa.string()),
        ("above_scale", pa.bool_()),
        ("registry_year", pa.int32()),
    ],
    "filings": [
        ("uscc", pa.string()),
        ("enterprise_name", pa.string()),
        ("district_raw", pa.string()),
        ("district_code", pa.string()),
        ("period", pa.date32()),
        ("revenue_ytd_wan", MONEY),
        ("rd_ytd_wan", MONEY),
        ("employees", pa.int32()),
    ],
    "surveys": [
        ("uscc", pa.string()),
        ("survey_year", pa.int32()),
        ("design", pa.bool_()),
        ("production", pa.bool_()),
        ("management", pa.bool_()),
        ("sales", pa.bool_()),
    ],
    "district_submissions": [
        ("district_raw", pa.string()),
        ("district_code", pa.string()),
        ("period", pa.date32()),
        ("enterprise_count", pa.int32()),
        ("revenue_ytd_wan", MONEY),
        ("rd_ytd_wan", MONEY),
    ],
    "bureau": [
        ("period", pa.date32()),
        ("industry_raw", pa.string()),
        ("industry_code", pa.string()),
        ("revenue_ytd_wan", MONEY),
        ("yoy_pct", pa.decimal128(18, 6)),
    ],
}
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
    superseded_by varchar
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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class RawFile:
    kind: str
    path: Path
    rel: str  # path relative to the raw folder, with forward slashes
    sha256: str


def scan(raw_dir: Path, kind: str) -> list[RawFile]:
    """Every file dropped in raw/<kind>/ (sub-folders included), in a stable order.

    Office lock files (~$…) and hidden files are not submissions and are passed over.
    """
    folder = raw_dir / kind
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        rel = path.relative_to(raw_dir).as_posix()
        files.append(RawFile(kind, path, rel, file_sha256(path)))
    return files


@dataclass
class LedgerEntry:
    sha256: str
    source_file: str
    status: str
    periods: frozenset[str]
    districts: frozenset[str]


def _ledger(con: duckdb.DuckDBPyConnection, kind: str) -> dict[tuple[str, str], LedgerEntry]:
    rows = con.execute(
        "select file_sha256, source_file, status, coalesce(periods, ''), coalesce(districts, '') "
        "from raw.ingest_ledger where kind = ?",
        [kind],
    ).fetchall()
    return {
        (sha, source): LedgerEntry(
            sha,
            source,
            status,
            frozenset(filter(None, periods.split(","))),
            frozenset(filter(None, districts.split(","))),
        )
        for sha, source, status, periods, districts in rows
    }


_PARSE_CACHE: dict[tuple[str, str], ParsedFile | FileRejected] = {}


def parse_cached(raw_file: RawFile, limits: Limits | None = None) -> ParsedFile:
    """Parse a file once per process: planning which partitions to run and loading share the work."""
    key = (raw_file.sha256, raw_file.kind)
    if key not in _PARSE_CACHE:
        if len(_PARSE_CACHE) > 256:
            _PARSE_CACHE.clear()
        try:
            if raw_file.path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise FileRejected(
                    f"{raw_file.rel} has suffix '{raw_file.path.suffix}'; send .xlsx, .xls or .csv"
                )
            _PARSE_CACHE[key] = parse_file(
                raw_file.path, raw_file.kind, raw_file.rel, limits or Limits.from_env()
            )
        except FileRejected as exc:
            _PARSE_CACHE[key] = exc
    result = _PARSE_CACHE[key]
    if isinstance(result, FileRejected):
        raise result
    return result


def _period_keys(parsed: ParsedFile, kind: Kind) -> frozenset[str]:
    if kind.name == "surveys":
        return frozenset(str(row["survey_year"]) for row in parsed.rows)
    if kind.name == "registry":
        # a registry of another year is another list, never a correction that supersedes this one
        return frozenset(str(row["registry_year"]) for row in parsed.rows if row.get("registry_year"))
    return frozenset(p.strftime("%Y-%m") for p in parsed.periods)


def file_periods(raw_file: RawFile) -> frozenset[str]:
    """The months a monthly file covers: from its name when it names one, else from its rows."""
    named = find_period(raw_file.path.stem)
    if named is not None:
        return frozenset({named.strftime("%Y-%m")})
    try:
        return _period_keys(parse_cached(raw_file), KINDS[raw_file.kind])
    except FileRejected:
        return frozenset()


def new_files(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str) -> list[RawFile]:
    """Files of a kind that the ledger has not seen (by path and content)."""
    ensure_schema(con)
    seen = _ledger(con, kind)
    return [f for f in scan(raw_dir, kind) if (f.sha256, f.rel) not in seen]


# What one row of each raw table is about: a corrected file must cover all of the earlier file's.
ENTITY_COLUMN = {
    "registry": "uscc",
    "filings": "uscc",
    "surveys": "uscc",
    "district_submissions": "district_code",
    "bureau": "industry_raw",
}


def _entities(kind: Kind, rows: list[dict[str, object]]) -> frozenset[str]:
    column = ENTITY_COLUMN[kind.table]
    return frozenset(str(row[column]) for row in rows if row.get(column) is not None)


def _supersedes(
    con: duckdb.DuckDBPyConnection,
    kind: Kind,
    earlier: LedgerEntry,
    periods: frozenset[str],
    districts: frozenset[str],
    entities: frozenset[str],
) -> bool:
    """A corrected file replaces an earlier one of the same kind when it covers the same months and
    districts and every enterprise (district, industry line) the earlier one did. Two batches of
    filings for one month are therefore both kept; a resubmitted file replaces the first."""
    if earlier.periods != periods or earlier.districts != districts:
        return False
    column = ENTITY_COLUMN[kind.table]
    rows = con.execute(
        f"select distinct cast({column} as varchar) from raw.{kind.table} "
        f"where file_sha256 = ? and source_file = ? and {column} is not null",
        [earlier.sha256, earlier.source_file],
    ).fetchall()
    return {row[0] for row in rows} <= entities


@dataclass
class IngestReport:
    """What one ingest call did, for the asset's metadata and the run's log."""

    kind: str
    ingested: list[str] = field(default_factory=list)
    reloaded: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    rows_loaded: int = 0


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name that is safe to create anywhere: no control characters or separators, not too long."""
    cleaned = "".join("_" if ord(char) < 32 or char in '/\\:*?"<>|' else char for char in name).strip(" .")
    if len(cleaned) > limit:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (
            (stem[: limit - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 8 else cleaned[:limit]
        )
    return cleaned or "unnamed"


def _quarantine(raw_file: RawFile, reason: str, quarantine_dir: Path) -> None:
    target = quarantine_dir / raw_file.kind / f"{raw_file.sha256[:12]}_{safe_file_name(raw_file.path.name)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(raw_file.path, target)
    target.with_name(target.name + ".reason.txt").write_text(
        f"file: {raw_file.rel!r}\nsha256: {raw_file.sha256}\nreason: {reason}\n", encoding="utf-8"
    )


def _load_rows(
    con: duckdb.DuckDBPyConnection, kind: Kind, raw_file: RawFile, parsed: ParsedFile, now: dt.datetime
) -> int:
    schema = schema_for(kind.table)
    con.execute(
        f"delete from raw.{kind.table} where file_sha256 = ? and source_file = ?",
        [raw_file.sha256, raw_file.rel],
    )
    provenance = {"source_file": raw_file.rel, "file_sha256": raw_file.sha256, "ingested_at": now}
    columns = {
        name: [provenance[name] if name in provenance else row.get(name) for row in parsed.rows]
        for name in schema.names
    }
    batch = pa.Table.from_pydict(columns, schema=schema)  # noqa: F841 - read by DuckDB below
    con.execute(f"insert into raw.{kind.table} by name select * from batch")
    return len(parsed.rows)


def _record(
    con: duckdb.DuckDBPyConnection,
    raw_file: RawFile,
    status: str,
    now: dt.datetime,
    run_id: str | None,
    reason: str | None = None,
    periods: Iterable[str] = (),
    districts: Iterable[str] = (),
    rows: int | None = None,
) -> None:
    con.execute(
        "insert into raw.ingest_ledger values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
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
            now,
            run_id,
        ],
    )


def ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    quarantine_dir: Path,
    kind_name: str,
    periods: set[str] | None = None,
    run_id: str | None = None,
    log=None,
) -> IngestReport:
    """Ingest the new files of one kind; with `periods` (YYYY-MM), only files covering those months,
    and files already ingested for those months are loaded again (a partition re-run is a rebuild).

    A file that cannot be read is recorded as rejected and copied to quarantine; the others go on.
    """
    kind = KINDS[kind_name]
    ensure_schema(con)
    report = IngestReport(kind_name)
    now = dt.datetime.now().replace(microsecond=0)
    files = scan(raw_dir, kind_name)
    seen = _ledger(con, kind_name)
    ingested_shas = {entry.sha256: entry.source_file for entry in seen.values() if entry.status == "ingested"}
    con.execute("begin transaction")
    try:
        for number, raw_file in enumerate(files, start=1):
            entry = seen.get((raw_file.sha256, raw_file.rel))
            if entry is not None:
                if entry.status == "ingested" and periods is not None and entry.periods & periods:
                    parsed = parse_cached(raw_file)
                    report.rows_loaded += _load_rows(con, kind, raw_file, parsed, now)
                    report.reloaded.append(raw_file.rel)
                continue
            if periods is not None and not (file_periods(raw_file) & periods):
                continue  # another partition's file
            if raw_file.sha256 in ingested_shas:
                _record(
                    con, raw_file, "duplicate", now, run_id, f"same bytes as {ingested_shas[raw_file.sha256]}"
                )
                report.duplicates.append(raw_file.rel)
                continue
            try:
                parsed = parse_cached(raw_file)
            except FileRejected as exc:
                reason = str(exc)
                _record(con, raw_file, "rejected", now, run_id, reason)
                _quarantine(raw_file, reason, quarantine_dir)
                report.rejected[raw_file.rel] = reason
                if log:
                    log.warning(f"rejected {reason}")
                continue
            file_keys = _period_keys(parsed, kind)
            districts = frozenset(parsed.districts)
            entities = _entities(kind, parsed.rows)
            for other in seen.values():
                if other.status == "ingested" and _supersedes(
                    con, kind, other, file_keys, districts, entities
                ):
                    con.execute(
                        f"delete from raw.{kind.table} where file_sha256 = ? and source_file = ?",
                        [other.sha256, other.source_file],
                    )
                    con.execute(
                        "update raw.ingest_ledger set status = 'superseded', superseded_by = ? "
                        "where file_sha256 = ? and source_file = ?",
                        [raw_file.rel, other.sha256, other.source_file],
                    )
                    other.status = "superseded"
                    report.superseded.append(other.source_file)
            report.rows_loaded += _load_rows(con, kind, raw_file, parsed, now)
            _record(con, raw_file, "ingested", now, run_id, None, file_keys, districts, len(parsed.rows))
            seen[(raw_file.sha256, raw_file.rel)] = LedgerEntry(
                raw_file.sha256, raw_file.rel, "ingested", file_keys, districts
            )
            ingested_shas[raw_file.sha256] = raw_file.rel
            report.ingested.append(raw_file.rel)
            if log and (number % 10 == 0 or number == len(files)):
                log.info(
                    f"{kind_name}: {number}/{len(files)} files looked at, {report.rows_loaded} rows loaded"
                )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return report
