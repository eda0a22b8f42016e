"""Load received files into DuckDB's raw schema and keep the ledger of every file seen.

A file's rows are loaded whole and identified by (file_sha256, source_file), so loading a file again
replaces its rows instead of doubling them. The ledger has one row per file seen (path and content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.kinds import KINDS, Kind
from orchestration.ingest.reader import (
    SUPPORTED_SUFFIXES,
    FileRejected,
    Limits,
    ParsedFile,
    check_limits,
    parse_file,
)
from orchestration.ingest.values import find_period

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
    superseded_by varchar,
    status_changed_at timestamp
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


@dataclass(frozen=True)
class RawFile:
    kind: str
    path: Path
    rel: str  # path relative to the raw folder, with forward slashes
    sha256: str


@dataclass(frozen=True)
class Refusal:
    """Something under raw/<kind>/ that planwatch will not read: it is listed, never followed."""

    kind: str
    rel: str
    reason: str

    @property
    def sha256(self) -> str:
        # Nothing was read, so there is no content digest: the ledger keys the entry by what it is.
        return hashlib.sha256(f"refused:{self.rel}:{self.reason}".encode()).hexdigest()


@dataclass
class Scan:
    files: list[RawFile] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _open_regular(path: Path):
    """A file opened without following a symbolic link (O_NOFOLLOW) and checked to be a regular file,
    so a link or pipe swapped in after the folder was scanned is refused, never read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise FileRejected(f"cannot be opened ({exc.strerror}); only regular files are read") from exc
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise FileRejected("is not a regular file; only regular files are read")
    return os.fdopen(descriptor, "rb")


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file under raw/ (see _open_regular)."""
    with _open_regular(path) as handle:
        return handle.read()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with _open_regular(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refusal_reason(path: Path, info: os.stat_result) -> str | None:
    """Why an entry under raw/<kind>/ is not read, or None for a regular file to read."""
    name = path.name
    if stat.S_ISLNK(info.st_mode):
        return (
            f"is a symbolic link (to {os.readlink(path)!r}); planwatch reads only files placed under raw/ "
            "itself and never follows a link: copy the file in instead"
        )
    if stat.S_ISDIR(info.st_mode):
        return (
            f"is a folder named like a file ('{name}'); its contents were not read: "
            "put the file itself in the kind's folder"
        )
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe, socket or device); it was not read"
    if name.startswith("~$"):
        return "is an Office lock file (~$…), left while a workbook is open; it was not read: close Excel"
    if name.startswith("."):
        return (
            "is a hidden file (its name starts with a dot); it was not read: if it is a submission, "
            "rename it without the dot"
        )
    return None


def scan(raw_dir: Path, kind: str) -> Scan:
    """Every file dropped in raw/<kind>/ (sub-folders included), in a stable order, and every entry
    that is refused unread: symbolic links (never followed, so nothing outside raw/ is read), pipes
    and devices, folders named like files, hidden and Office lock files."""
    folder = raw_dir / kind
    result = Scan()
    if folder.is_symlink():
        result.refused.append(Refusal(kind, kind, _refusal_reason(folder, folder.lstat()) or ""))
        return result
    if not folder.is_dir():
        return result
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(current)
        entries = sorted(dirnames + filenames)
        dirnames[:] = []
        for name in entries:
            path = here / name
            rel = path.relative_to(raw_dir).as_posix()
            info = path.lstat()
            looks_like_file = Path(name).suffix.lower() in SUPPORTED_SUFFIXES
            if stat.S_ISDIR(info.st_mode) and not looks_like_file and not name.startswith("."):
                dirnames.append(name)  # an ordinary sub-folder: walk into it
                continue
            reason = _refusal_reason(path, info)
            if reason is not None:
                result.refused.append(Refusal(kind, rel, reason))
                continue
            try:
                digest = file_sha256(path)
            except FileRejected as exc:
                result.refused.append(Refusal(kind, rel, str(exc)))
                continue
            result.files.append(RawFile(kind, path, rel, digest))
        dirnames.sort()
    return result


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


# Parsed files kept for the rest of the process, so that planning which partitions to run and loading
# share the work. Bounded by rows, not files: a parsed row is about 1 kB of Python objects, and keeping
# every file of a kind (1.8 GB for the filings of 50,000 enterprises) drove a run's peak memory. A file
# leaves the cache once it is loaded; the months a file covers are kept apart, as they are small.
PARSE_CACHE_MAX_ROWS = 100_000
_PARSE_CACHE: dict[tuple[str, str], ParsedFile | FileRejected] = {}
_PERIODS: dict[tuple[str, str], frozenset[str]] = {}


def _cached_rows() -> int:
    return sum(len(item.rows) for item in _PARSE_CACHE.values() if isinstance(item, ParsedFile))


def parse_cached(raw_file: RawFile, limits: Limits | None = None) -> ParsedFile:
    """Parse a file, or take it from the cache when planning parsed it already (see PARSE_CACHE_MAX_ROWS)."""
    key = (raw_file.sha256, raw_file.kind)
    result = _PARSE_CACHE.get(key)
    if result is None:
        try:
            result = _parse(raw_file, limits or Limits.from_env())
        except FileRejected as exc:
            result = exc
        if isinstance(result, ParsedFile):
            _PERIODS[key] = _period_keys(result, KINDS[raw_file.kind])
        _PARSE_CACHE[key] = result
        while len(_PARSE_CACHE) > 1 and (len(_PARSE_CACHE) > 256 or _cached_rows() > PARSE_CACHE_MAX_ROWS):
            del _PARSE_CACHE[next(iter(_PARSE_CACHE))]  # the oldest first; the file just parsed stays
    if isinstance(result, FileRejected):
        raise result
    return result


def forget_parsed(raw_file: RawFile) -> None:
    """Drop a loaded file's parsed rows: nothing in this process reads them again."""
    _PARSE_CACHE.pop((raw_file.sha256, raw_file.kind), None)


def _parse(raw_file: RawFile, limits: Limits) -> ParsedFile:
    if raw_file.path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise FileRejected(f"{raw_file.rel} has suffix '{raw_file.path.suffix}'; send .xlsx, .xls or .csv")
    size = raw_file.path.lstat().st_size
    if size > limits.max_file_bytes:
        try:
            check_limits(raw_file.path, limits)  # refuses before reading the file into memory
        except FileRejected as exc:
            raise FileRejected(f"{raw_file.rel} {exc}") from exc
    try:
        data = read_regular_file(raw_file.path)
    except FileRejected as exc:
        raise FileRejected(f"{raw_file.rel} {exc}") from exc
    if hashlib.sha256(data).hexdigest() != raw_file.sha256:
        raise FileRejected(
            f"{raw_file.rel} changed while it was being read (another program is still writing it); "
            "it will be read on the next run"
        )
    parsed = parse_file(raw_file.path, raw_file.kind, raw_file.rel, limits, data=data)
    check_storable(KINDS[raw_file.kind], parsed, raw_file.rel)
    return parsed


def _largest_storable(data_type: pa.DataType) -> float | None:
    """The largest magnitude a raw column can hold: Decimal(p, s) keeps p - s integer digits."""
    if pa.types.is_decimal(data_type):
        return 10.0 ** (data_type.precision - data_type.scale)
    if pa.types.is_int32(data_type):
        return 2.0**31 - 1
    return None


def check_storable(kind: Kind, parsed: ParsedFile, rel: str) -> None:
    """Refuse a file with a number its raw column cannot hold (1e40 in a Decimal(38, 6) money column),
    naming the row and column: one such cell would otherwise fail the whole batch in Arrow and stop the
    ingest of every other file. Huge values that fit are stored and found by rule DQ07."""
    bounds = {
        name: bound
        for name, data_type in COLUMNS[kind.table]
        if (bound := _largest_storable(data_type)) is not None
    }
    for row in parsed.rows:
        for name, bound in bounds.items():
            value = row.get(name)
            if value is None:
                continue
            number = float(value)
            if not math.isfinite(number) or abs(number) >= bound:
                where = f"{rel}" + (f", sheet {row['source_sheet']}" if row.get("source_sheet") else "")
                label = parsed.labels.get(name, name)
                unit = " 万元" if name.endswith("_wan") else ""
                raise FileRejected(
                    f"{where}, row {row['source_row']}: {label} is {number:.6g}{unit}, which cannot be "
                    f"stored (at most {bound:.0e}{unit} in this column); correct the cell and send the "
                    "file again"
                )


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
    key = (raw_file.sha256, raw_file.kind)
    if key not in _PERIODS:
        try:
            parse_cached(raw_file)
        except FileRejected:
            return frozenset()
    return _PERIODS[key]


def new_files(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str) -> list[RawFile]:
    """Files of a kind that the ledger has not seen (by path and content)."""
    ensure_schema(con)
    seen = _ledger(con, kind)
    return [
        f
        for f in scan(raw_dir, kind).files
        if (f.sha256, f.rel) not in seen or seen[(f.sha256, f.rel)].status == "withdrawn"
    ]


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
    refused: dict[str, str] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
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


def _quarantine(raw_file: RawFile | Refusal, reason: str, quarantine_dir: Path, data: bytes | None) -> None:
    """Keep what could not be used: a copy of the bytes that were read (never of a link's target) and
    a .reason.txt beside it."""
    name = safe_file_name(Path(raw_file.rel).name)
    target = quarantine_dir / raw_file.kind / f"{raw_file.sha256[:12]}_{name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if data is not None:
        target.write_bytes(data)
    target.with_name(target.name + ".reason.txt").write_text(
        f"file: {raw_file.rel!r}\nsha256: {raw_file.sha256 if data is not None else '— (not read)'}\n"
        f"reason: {reason}\n",
        encoding="utf-8",
    )


def archive_copy(raw_file: RawFile, archive_dir: Path) -> Path:
    """A content-addressed copy of an ingested file under the warehouse, so the published figures can be
    rebuilt after the file has left raw/ (archive/<sha256[:2]>/<sha256><suffix>)."""
    target = archive_dir / raw_file.sha256[:2] / f"{raw_file.sha256}{raw_file.path.suffix.lower()}"
    if not target.exists():
        data = read_regular_file(raw_file.path)
        if hashlib.sha256(data).hexdigest() == raw_file.sha256:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            partial.write_bytes(data)
            os.replace(partial, target)
    return target


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
) -> None:
    """One ledger row per (content, path); a file seen again after it was withdrawn gets its row back."""
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
            ? as status_changed_at
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
            now,
            run_id,
            now,
        ],
    )


def _set_status(
    con: duckdb.DuckDBPyConnection,
    entry: LedgerEntry,
    status: str,
    now: dt.datetime,
    reason: str | None = None,
    superseded_by: str | None = None,
) -> None:
    con.execute(
        "update raw.ingest_ledger set status = ?, reason = coalesce(?, reason), "
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
) -> None:
    """A file that was ingested and is no longer under raw/ (with the same content) is withdrawn: its
    rows leave the raw table, so they leave the marts on this run; the ledger keeps the entry."""
    for key, entry in seen.items():
        if entry.status not in ("ingested", "duplicate") or key in present:
            continue
        if entry.status == "ingested":
            _delete_rows(con, kind, entry.sha256, entry.source_file)
        _set_status(
            con,
            entry,
            "withdrawn",
            now,
            f"{entry.source_file} is no longer under raw/ (noticed {now:%Y-%m-%d %H:%M})",
        )
        report.withdrawn.append(entry.source_file)


def ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    quarantine_dir: Path,
    kind_name: str,
    periods: set[str] | None = None,
    run_id: str | None = None,
    log=None,
    archive_dir: Path | None = None,
) -> IngestReport:
    """Ingest the new files of one kind; with `periods` (YYYY-MM), only files covering those months,
    and files already ingested for those months are loaded again (a partition re-run is a rebuild).

    A file that cannot be read is recorded as rejected and copied to quarantine; an entry that is not a
    regular file (a link, a pipe, a folder named like a file, a hidden file) is recorded as refused,
    unread; an ingested file no longer under raw/ is withdrawn. The other files go on.
    """
    kind = KINDS[kind_name]
    ensure_schema(con)
    report = IngestReport(kind_name)
    now = dt.datetime.now().replace(microsecond=0)
    found = scan(raw_dir, kind_name)
    files = found.files
    seen = _ledger(con, kind_name)
    present = {(f.sha256, f.rel) for f in files}
    con.execute("begin transaction")
    try:
        for refusal in found.refused:
            if (refusal.sha256, refusal.rel) not in seen:
                _record(con, refusal, "refused", now, run_id, f"{refusal.rel} {refusal.reason}")
                _quarantine(refusal, f"{refusal.rel} {refusal.reason}", quarantine_dir, None)
                seen[(refusal.sha256, refusal.rel)] = LedgerEntry(
                    refusal.sha256, refusal.rel, "refused", frozenset(), frozenset()
                )
            report.refused[refusal.rel] = refusal.reason
        # Withdraw first, so that a file whose original was withdrawn is ingested in its place below.
        if (raw_dir / kind_name).is_dir():
            _withdraw(con, kind, seen, present, now, report)
        elif any(entry.status == "ingested" for entry in seen.values()) and log:
            log.warning(
                f"raw/{kind_name}/ is missing: its ingested files are kept; create the folder empty to "
                "withdraw them"
            )
        ingested_shas = {
            entry.sha256: entry.source_file for entry in seen.values() if entry.status == "ingested"
        }
        for number, raw_file in enumerate(files, start=1):
            entry = seen.get((raw_file.sha256, raw_file.rel))
            # a file seen again after it was withdrawn is new again; so is a duplicate whose original
            # was withdrawn: this copy now carries the rows
            again = entry is not None and (
                entry.status == "withdrawn"
                or (entry.status == "duplicate" and raw_file.sha256 not in ingested_shas)
            )
            if entry is not None and not again:
                if entry.status == "ingested" and periods is not None and entry.periods & periods:
                    parsed = parse_cached(raw_file)
                    report.rows_loaded += _load_rows(con, kind, raw_file, parsed, now)
                    forget_parsed(raw_file)
                    del parsed
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
                try:
                    data = read_regular_file(raw_file.path)
                except FileRejected:
                    data = None
                _quarantine(raw_file, reason, quarantine_dir, data)
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
                    _delete_rows(con, kind, other.sha256, other.source_file)
                    _set_status(con, other, "superseded", now, superseded_by=raw_file.rel)
                    report.superseded.append(other.source_file)
            rows_kept = _load_rows(con, kind, raw_file, parsed, now)
            report.rows_loaded += rows_kept
            forget_parsed(raw_file)
            del parsed, entities  # one file's rows in memory at a time, not the last one's beside the next
            if archive_dir is not None:
                archive_copy(raw_file, archive_dir)
            _record(con, raw_file, "ingested", now, run_id, None, file_keys, districts, rows_kept)
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
