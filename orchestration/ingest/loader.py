"""Load received files into DuckDB's raw schema and keep the ledger of every file seen.

A file's rows are loaded whole and identified by (file_sha256, source_file), so loading a file again
replaces its rows instead of doubling them. The ledger has one row per file seen (path and content).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import math
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.files import RawFile, Refusal, _quarantine, archive_copy, read_regular_file, scan
from orchestration.ingest.kinds import KINDS, Kind
from orchestration.ingest.ledger import (
    COLUMNS,
    IngestReport,
    LedgerEntry,
    _delete_rows,
    _ledger,
    _load_rows,
    _record,
    _set_status,
    _withdraw,
    ensure_schema,
)
from orchestration.ingest.reader import (
    SUPPORTED_SUFFIXES,
    FileRejected,
    Limits,
    ParsedFile,
    check_limits,
    parse_file,
)
from orchestration.ingest.values import find_period

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


class Action(enum.Enum):
    """What to do with one file found under raw/<kind>/ (before it is read)."""

    SKIP = "skip"  # seen before and nothing asks for it again, or another partition's file
    RELOAD = "reload"  # ingested before, and a partition re-run covers its months: load its rows again
    DUPLICATE = "duplicate"  # the same bytes as a file whose rows are in: recorded, not loaded
    INGEST = "ingest"  # new: read it, then it is ingested (superseding what it replaces) or rejected


def plan_file(
    entry: LedgerEntry | None,
    original_of_same_bytes: str | None,
    periods: set[str] | None,
    covers: Callable[[], frozenset[str]],
) -> tuple[Action, str | None]:
    """Decide what to do with a file from what the ledger says of it, without reading it (except for
    `covers`, the months it covers, asked only when a partition run needs them).

    `entry`: the ledger's row for this path and content, if any. `original_of_same_bytes`: the ingested
    file with the same sha256, if any. `periods`: the months of a partition re-run (YYYY-MM), None for a
    refresh. A file seen again after it was withdrawn is new again; so is a duplicate whose original
    is no longer in. Returns the action and, for a duplicate, the file it duplicates.
    """
    again = entry is not None and (
        entry.status == "withdrawn" or (entry.status == "duplicate" and original_of_same_bytes is None)
    )
    if entry is not None and not again:
        reload = entry.status == "ingested" and periods is not None and bool(entry.periods & periods)
        return (Action.RELOAD if reload else Action.SKIP), None
    if periods is not None and not (covers() & periods):
        return Action.SKIP, None
    if original_of_same_bytes is not None:
        return Action.DUPLICATE, original_of_same_bytes
    return Action.INGEST, None


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
    run = _IngestRun(
        con, kind, quarantine_dir, archive_dir, run_id, log, dt.datetime.now().replace(microsecond=0)
    )
    found = scan(raw_dir, kind_name)
    present = {(f.sha256, f.rel) for f in found.files}
    con.execute("begin transaction")
    try:
        run.refuse(found.refused)
        # Withdraw first, so that a file whose original was withdrawn is ingested in its place below.
        if (raw_dir / kind_name).is_dir():
            _withdraw(con, kind, run.seen, present, run.now, run.report)
        elif any(entry.status == "ingested" for entry in run.seen.values()) and log:
            log.warning(
                f"raw/{kind_name}/ is missing: its ingested files are kept; create the folder empty to "
                "withdraw them"
            )
        run.note_ingested_shas()
        for number, raw_file in enumerate(found.files, start=1):
            action, original = plan_file(
                run.seen.get((raw_file.sha256, raw_file.rel)),
                run.shas.get(raw_file.sha256),
                periods,
                lambda raw_file=raw_file: file_periods(raw_file),
            )
            run.apply(action, raw_file, original)
            if log and action is Action.INGEST and (number % 10 == 0 or number == len(found.files)):
                log.info(
                    f"{kind_name}: {number}/{len(found.files)} files looked at, {run.report.rows_loaded} rows loaded"
                )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return run.report


class _IngestRun:
    """One ingest call's state (the ledger as it stands, the report) and what each action does."""

    def __init__(self, con, kind: Kind, quarantine_dir: Path, archive_dir: Path | None, run_id, log, now):
        self.con, self.kind, self.quarantine_dir, self.archive_dir = con, kind, quarantine_dir, archive_dir
        self.run_id, self.log, self.now = run_id, log, now
        self.seen = _ledger(con, kind.name)
        self.report = IngestReport(kind.name)
        self.shas: dict[str, str] = {}  # sha256 → the ingested file with those bytes (after withdrawals)

    def note_ingested_shas(self) -> None:
        self.shas = {
            entry.sha256: entry.source_file for entry in self.seen.values() if entry.status == "ingested"
        }

    def refuse(self, refusals: list[Refusal]) -> None:
        for refusal in refusals:
            if (refusal.sha256, refusal.rel) not in self.seen:
                _record(
                    self.con, refusal, "refused", self.now, self.run_id, f"{refusal.rel} {refusal.reason}"
                )
                _quarantine(refusal, f"{refusal.rel} {refusal.reason}", self.quarantine_dir, None)
                self.seen[(refusal.sha256, refusal.rel)] = LedgerEntry(
                    refusal.sha256, refusal.rel, "refused", frozenset(), frozenset()
                )
            self.report.refused[refusal.rel] = refusal.reason

    def apply(self, action: Action, raw_file: RawFile, original: str | None) -> None:
        if action is Action.RELOAD:
            self.report.rows_loaded += _load_rows(
                self.con, self.kind, raw_file, parse_cached(raw_file), self.now
            )
            forget_parsed(raw_file)
            self.report.reloaded.append(raw_file.rel)
        elif action is Action.DUPLICATE:
            _record(self.con, raw_file, "duplicate", self.now, self.run_id, f"same bytes as {original}")
            self.report.duplicates.append(raw_file.rel)
        elif action is Action.INGEST:
            self._ingest(raw_file)

    def _ingest(self, raw_file: RawFile) -> None:
        """Read a new file: reject it into quarantine, or load it, superseding the files it replaces."""
        try:
            parsed = parse_cached(raw_file)
        except FileRejected as exc:
            self._reject(raw_file, str(exc))
            return
        file_keys = _period_keys(parsed, self.kind)
        districts = frozenset(parsed.districts)
        entities = _entities(self.kind, parsed.rows)
        for other in list(self.seen.values()):
            if other.status == "ingested" and _supersedes(
                self.con, self.kind, other, file_keys, districts, entities
            ):
                _delete_rows(self.con, self.kind, other.sha256, other.source_file)
                _set_status(self.con, other, "superseded", self.now, superseded_by=raw_file.rel)
                self.report.superseded.append(other.source_file)
        rows_kept = _load_rows(self.con, self.kind, raw_file, parsed, self.now)
        self.report.rows_loaded += rows_kept
        forget_parsed(raw_file)
        del parsed, entities  # one file's rows in memory at a time, not the last one's beside the next
        if self.archive_dir is not None:
            archive_copy(raw_file, self.archive_dir)
        _record(self.con, raw_file, "ingested", self.now, self.run_id, None, file_keys, districts, rows_kept)
        self.seen[(raw_file.sha256, raw_file.rel)] = LedgerEntry(
            raw_file.sha256, raw_file.rel, "ingested", file_keys, districts
        )
        self.shas[raw_file.sha256] = raw_file.rel
        self.report.ingested.append(raw_file.rel)

    def _reject(self, raw_file: RawFile, reason: str) -> None:
        _record(self.con, raw_file, "rejected", self.now, self.run_id, reason)
        try:
            data = read_regular_file(raw_file.path)
        except FileRejected:
            data = None
        _quarantine(raw_file, reason, self.quarantine_dir, data)
        self.report.rejected[raw_file.rel] = reason
        if self.log:
            self.log.warning(f"rejected {reason}")
