"""Load received files into DuckDB's raw schema and keep the ledger of every file seen.

A file's rows are loaded whole and identified by (file_sha256, source_file), so loading a file again
replaces its rows instead of doubling them. The ledger has one row per file seen (path and content).
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.entities import (
    covers_every_entity,
    loaded_entities,
    note_partial_repeat,
    parsed_entities,
)
from orchestration.ingest.files import (
    RawFile,
    Refusal,
    Scan,
    _quarantine,
    archive_copy,
    read_regular_file,
    scan,
)
from orchestration.ingest.kinds import KINDS, Kind
from orchestration.ingest.layout import misnamed_month
from orchestration.ingest.ledger import (
    IngestReport,
    LedgerEntry,
    _delete_rows,
    _ledger,
    _load_rows,
    _record,
    _set_notes,
    _set_status,
    _stranded,
    _withdraw,
    ensure_schema,
)
from orchestration.ingest.parsing import file_periods, forget_parsed, parse_cached, period_keys
from orchestration.ingest.reader import FileRejected, ParsedFile
from orchestration.preflight import ClockBehind, clock_problem, latest_recorded


def new_files(con: duckdb.DuckDBPyConnection, raw_dir: Path, kind: str) -> list[RawFile]:
    """Files of a kind that the ledger has not seen (by path and content)."""
    ensure_schema(con)
    seen = _ledger(con, kind)
    return [
        f
        for f in scan(raw_dir, kind).files
        if (f.sha256, f.rel) not in seen or seen[(f.sha256, f.rel)].status == "withdrawn"
    ]


def _supersedes(
    con: duckdb.DuckDBPyConnection,
    kind: Kind,
    earlier: LedgerEntry,
    later_file: str,
    periods: frozenset[str],
    districts: frozenset[str],
    entities: Mapping[str, str | None],
) -> tuple[bool, str | None]:
    """A corrected file replaces an earlier one of the same kind when it covers the same months and
    districts and every enterprise (district, industry line) the earlier one did, an enterprise by
    its credit code or its name (`covers_every_entity`). Two batches of filings for one month are
    therefore both kept; a resubmitted file replaces the first. Returns that, and for a file of the
    same months that repeats part of the earlier one, what to tell the operator (`note_partial_repeat`)."""
    if earlier.periods != periods:
        return False, None
    earlier_entities = loaded_entities(con, kind, earlier.sha256, earlier.source_file)
    if earlier.districts == districts and covers_every_entity(earlier_entities, entities):
        return True, None
    return False, note_partial_repeat(kind, earlier.source_file, later_file, earlier_entities, entities)


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
    (else the superseded) file with the same sha256, if any. `periods`: the months of a partition re-run
    (YYYY-MM), None for a refresh. A file seen again after it was withdrawn is new again; so is a
    duplicate whose original left raw/. Returns the action and, for a duplicate, the file it duplicates.
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
    unread; an ingested file no longer under raw/ is withdrawn, and what it had superseded comes back
    (`_IngestRun.bring_back`). A kind folder that is a symbolic link is refused and withdraws nothing,
    as a missing one. The other files go on.
    """
    kind = KINDS[kind_name]
    ensure_schema(con)
    now = dt.datetime.now()
    behind = clock_problem(now, latest_recorded(con))
    if behind:  # every way a run starts (planwatch run, the schedule, the sensor, the UI) comes here
        raise ClockBehind(behind)
    run = _IngestRun(con, kind, quarantine_dir, archive_dir, run_id, log, now)
    folder = raw_dir / kind_name
    linked = folder.is_symlink()
    found = Scan(refused=[_linked_kind_folder(folder, kind_name)]) if linked else scan(raw_dir, kind_name)
    con.execute("begin transaction")
    try:
        run.refuse(found.refused)
        if not linked:  # refused above, saying why: nothing there was read, so nothing is known to have left
            run.take_stock(folder, found, periods)
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


def _linked_kind_folder(folder: Path, kind_name: str) -> Refusal:
    """The refusal of a kind folder that is a symbolic link: as for a linked file, the link is never
    followed, and, as for a missing folder, the files ingested from it are kept."""
    return Refusal(
        kind_name,
        kind_name,
        f"is a symbolic link (to {os.readlink(folder)!r}), not a real folder: planwatch reads only files "
        f"placed under raw/ itself and never follows a link, so no file of raw/{kind_name}/ was read and "
        "the files ingested from it before are kept (none is withdrawn); replace the link with a real "
        "folder holding the files",
    )


class _IngestRun:
    """One ingest call's state (the ledger as it stands, the report) and what each action does."""

    def __init__(self, con, kind: Kind, quarantine_dir: Path, archive_dir: Path | None, run_id, log, now):
        self.con, self.kind, self.quarantine_dir, self.archive_dir = con, kind, quarantine_dir, archive_dir
        self.run_id, self.log, self.now = run_id, log, now
        self.taken = 0  # files read so far: each is stamped a microsecond after the one before
        self.seen = _ledger(con, kind.name)
        self.report = IngestReport(kind.name)
        self.shas: dict[str, str] = {}  # sha256 → the ingested file with those bytes (after withdrawals)

    def note_ingested_shas(self) -> None:
        """The files whose bytes are accounted for: ingested, or superseded by a correction. A copy of a
        superseded file is a duplicate too: loaded, as a file newer than the correction, it would undo it."""
        self.shas = {
            entry.sha256: entry.source_file
            for entry in sorted(self.seen.values(), key=lambda entry: entry.status == "ingested")
            if entry.status in ("ingested", "superseded")
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

    def take_stock(self, folder: Path, found: Scan, periods: set[str] | None = None) -> None:
        """Before any new file: withdraw what left raw/, so that a file whose original was withdrawn is
        ingested in its place, and bring back what a withdrawn file superseded, before a new file may
        supersede it again. A missing kind folder changes nothing. A partition run (`periods`) looks
        only at the files of its months: a file of another month changed in place is new content that
        waits, with the other new files, for the next refresh (withdrawn now, it would leave a hole)."""
        if folder.is_dir():
            unread = [refusal.rel for refusal in found.refused]
            present = {(f.sha256, f.rel) for f in found.files}
            seen = {
                key: entry for key, entry in self.seen.items() if periods is None or entry.periods & periods
            }
            _withdraw(self.con, self.kind, seen, present, self.now, self.report, unread)
            self.bring_back(found.files, unread, periods)
        elif any(entry.status == "ingested" for entry in self.seen.values()) and self.log:
            self.log.warning(
                f"raw/{self.kind.name}/ is missing: its ingested files are kept; create the folder empty to "
                "withdraw them"
            )

    def bring_back(self, files: list[RawFile], unread: list[str], periods: set[str] | None = None) -> None:
        """Superseded files whose correction is no longer in (`_stranded`) come back: loaded again when
        still under raw/ with the same content, else withdrawn in turn, so that a chain unwinds to the
        latest file still there (A superseded by B superseded by C: C withdrawn brings back B, not A;
        if B left raw/ too, A). Nothing under a folder refused unread changes, nor, in a partition run,
        outside its months."""
        by_key = {(f.sha256, f.rel): f for f in files}

        def stranded_here() -> list[LedgerEntry]:
            return [e for e in _stranded(self.seen, unread) if periods is None or e.periods & periods]

        while stranded := stranded_here():
            for entry in stranded:
                raw_file = by_key.get((entry.sha256, entry.source_file))
                if raw_file is not None:
                    self._restore(raw_file, entry)
                    continue
                _set_status(
                    self.con,
                    entry,
                    "withdrawn",
                    self.now,
                    f"{entry.source_file} is no longer under raw/ (noticed {self.now:%Y-%m-%d %H:%M}), so it "
                    f"could not come back in place of {entry.superseded_by}, which had superseded it",
                )
                self.report.withdrawn.append(entry.source_file)

    def _restore(self, raw_file: RawFile, entry: LedgerEntry) -> None:
        """Load a superseded file again, its ledger row saying why; as any file, it may be a duplicate
        of one that is in, or be rejected by today's checks. Its rows carry the time the file arrived,
        not now, so that "the latest row wins" in dbt still prefers a file that arrived after it (a
        later 补报 for one enterprise) to the one that comes back."""
        original = next(
            (
                e.source_file
                for e in self.seen.values()
                if e.status == "ingested" and e.sha256 == entry.sha256
            ),
            None,
        )
        if original is not None:
            _set_status(self.con, entry, "duplicate", self.now, f"same bytes as {original}")
            self.report.duplicates.append(raw_file.rel)
            return
        try:
            parsed = parse_cached(raw_file)
        except FileRejected as exc:
            self._reject(raw_file, str(exc))
            entry.status = "rejected"
            return
        (arrived,) = self.con.execute(
            "select first_seen_at from raw.ingest_ledger where file_sha256 = ? and source_file = ?",
            [entry.sha256, entry.source_file],
        ).fetchone()
        self.report.rows_loaded += _load_rows(self.con, self.kind, raw_file, parsed, arrived)
        _set_notes(self.con, raw_file, self._say_what_is_hidden(raw_file, parsed), parsed.money_units)
        forget_parsed(raw_file)
        if self.archive_dir is not None:
            archive_copy(raw_file, self.archive_dir)
        _set_status(
            self.con,
            entry,
            "ingested",
            self.now,
            f"back in place of {entry.superseded_by}, which had superseded it and is no longer in "
            f"(noticed {self.now:%Y-%m-%d %H:%M})",
        )
        self.report.restored.append(raw_file.rel)
        if self.log:
            self.log.warning(
                f"{raw_file.rel} is back in: {entry.superseded_by}, which had superseded it, is no longer in"
            )

    def apply(self, action: Action, raw_file: RawFile, original: str | None) -> None:
        if action is Action.RELOAD:
            # the rows keep the time they arrived: stamped now, a reloaded original would tie with its
            # own correction (reloaded with it) and the latest row would be chosen by file name
            (arrived,) = self.con.execute(
                f"select max(ingested_at) from raw.{self.kind.table} where file_sha256 = ? and source_file = ?",
                [raw_file.sha256, raw_file.rel],
            ).fetchone()
            parsed = parse_cached(raw_file)
            _set_notes(self.con, raw_file, self._say_what_is_hidden(raw_file, parsed), parsed.money_units)
            self.report.rows_loaded += _load_rows(self.con, self.kind, raw_file, parsed, arrived or self.now)
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
        reader_notes, parsed_units = self._say_what_is_hidden(raw_file, parsed), parsed.money_units
        file_keys = period_keys(parsed, self.kind)
        if self.log and self.kind.monthly and (note := misnamed_month(raw_file.rel, file_keys)):
            self.log.warning(note)  # and `planwatch status`, while the file counts
        districts = frozenset(parsed.districts)
        entities = parsed_entities(self.kind, parsed.rows)
        # the files of one run arrive in the order they are taken (scan: a correction after what it
        # corrects), a microsecond apart, so that "the latest row wins" follows that order, not names;
        # a file put back as it was when it left keeps its first arrival, or it would undo what came
        # after it (a 补报 for one of its enterprises)
        self.taken += 1
        arrived = self._first_arrival(raw_file) or self.now + dt.timedelta(microseconds=self.taken)
        try:  # loaded before it supersedes anything: a file that cannot be stored replaces nothing
            rows_kept = _load_rows(self.con, self.kind, raw_file, parsed, arrived)
        except pa.ArrowException as exc:  # a value Arrow cannot take: the file, not the run, fails
            _delete_rows(self.con, self.kind, raw_file.sha256, raw_file.rel)
            self._reject(
                raw_file,
                f"{raw_file.rel}: a value could not be stored ({exc}); check the file's figures and "
                "send it again",
            )
            return
        for other in [entry for entry in self.seen.values() if entry.status == "ingested"]:
            supersedes, note = _supersedes(
                self.con, self.kind, other, raw_file.rel, file_keys, districts, entities
            )
            if supersedes:
                _delete_rows(self.con, self.kind, other.sha256, other.source_file)
                _set_status(self.con, other, "superseded", self.now, superseded_by=raw_file.rel)
                self.report.superseded.append(other.source_file)
            elif note and self.log:
                self.log.warning(note)  # `planwatch status` says it too, while both files are in
        self.report.rows_loaded += rows_kept
        forget_parsed(raw_file)
        del parsed, entities  # one file's rows in memory at a time, not the last one's beside the next
        if self.archive_dir is not None:
            archive_copy(raw_file, self.archive_dir)
        _record(
            self.con, raw_file, "ingested", max(arrived, self.now), self.run_id, None, file_keys, districts,
            rows_kept, first_seen_at=arrived, notes=reader_notes, units=parsed_units,
        )  # fmt: skip
        self.seen[(raw_file.sha256, raw_file.rel)] = LedgerEntry(
            raw_file.sha256, raw_file.rel, "ingested", file_keys, districts
        )
        self.shas[raw_file.sha256] = raw_file.rel
        self.report.ingested.append(raw_file.rel)

    def _say_what_is_hidden(self, raw_file: RawFile, parsed: ParsedFile) -> list[str]:
        """Hidden sheets, and sheets named as no data (填报说明), are not read and hidden rows are: the
        log says which, either way, and the ledger keeps it for `planwatch status`."""
        notes = []
        if parsed.hidden_tables:
            notes.append(
                f"{raw_file.rel}: hidden sheet {', '.join(parsed.hidden_tables)} not read (planwatch reads only "
                "the sheets Excel shows; unhide a sheet that holds data)"
            )
        if parsed.set_aside_tables:
            notes.append(
                f"{raw_file.rel}: sheet {', '.join(parsed.set_aside_tables)} not read (its name says it is not "
                "the data: dbt_project/seeds/sheet_name_markers.csv; rename the sheet if it is)"
            )
        notes.extend(parsed.notes)
        if parsed.hidden_rows:
            rows = ", ".join(parsed.hidden_rows[:10]) + (" …" if len(parsed.hidden_rows) > 10 else "")
            notes.append(
                f"{raw_file.rel}: rows hidden in Excel were read as data (sheet and row: {rows}); delete them "
                "from the file if they are not this table's data"
            )
        for note in notes if self.log else ():
            self.log.warning(note)
        return notes

    def _first_arrival(self, raw_file: RawFile) -> dt.datetime | None:
        """When a withdrawn file with these bytes at this path first arrived; None for a new file."""
        entry = self.seen.get((raw_file.sha256, raw_file.rel))
        if entry is None or entry.status != "withdrawn":
            return None
        (arrived,) = self.con.execute(
            "select first_seen_at from raw.ingest_ledger where file_sha256 = ? and source_file = ?",
            [raw_file.sha256, raw_file.rel],
        ).fetchone()
        if self.log:
            self.log.warning(
                f"{raw_file.rel} is back under raw/ as it was: its rows keep their first arrival "
                f"({arrived:%Y-%m-%d %H:%M}), so files that came in after it still win over them"
            )
        return arrived

    def _reject(self, raw_file: RawFile, reason: str) -> None:
        _record(self.con, raw_file, "rejected", self.now, self.run_id, reason)
        try:
            data = read_regular_file(raw_file.path)
        except FileRejected:
            data = None
        _quarantine(raw_file, reason, self.quarantine_dir, data)
        self.report.rejected[raw_file.rel] = reason  # the asset logs it, with the other files' fates
