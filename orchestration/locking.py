"""One run at a time per warehouse, and the clean-up of what a killed run left behind.

The lock is an flock on <warehouse>/.planwatch.lock: the kernel drops it when its holder exits, however
it exits, so a killed run never leaves a stale lock. The file also says who holds it (pid, start time,
command) for the message a second run prints. No Dagster import: the CLI, the Dagster resource and
`planwatch status` all use it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = ".planwatch.lock"

# Names a run writes under the warehouse only for a moment (publish.py, assets/reports.py, dbt): a
# killed run leaves them, and only a run that holds the lock may remove them.
LEFTOVER_PATTERNS = (
    ".analytics.duckdb.*.tmp",
    ".analytics.duckdb.*.tmp.wal",
    ".analytics.duckdb.wal.stale.*",
    ".parquet.*.tmp",
    ".docs.tmp",
    ".*.old.*",
    "tmp????????",  # dbt docs scratch folders of earlier releases (tempfile.TemporaryDirectory)
)


class RunInProgress(Exception):
    """Another process holds the warehouse's run lock."""

    def __init__(self, warehouse_dir: Path, holder: LockHolder | None) -> None:
        self.warehouse_dir = warehouse_dir
        self.holder = holder
        super().__init__(describe_run_in_progress(warehouse_dir, holder))


@dataclass(frozen=True)
class LockHolder:
    """Who holds the run lock, as its holder wrote it into the lock file."""

    pid: int
    started: str
    command: str


def lock_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / LOCK_NAME


def describe_run_in_progress(warehouse_dir: Path, holder: LockHolder | None) -> str:
    if holder is None:
        return f"a run is in progress on {warehouse_dir} (its lock file {lock_path(warehouse_dir)} is held)"
    return (
        f"a run is in progress on {warehouse_dir} since {holder.started}, pid {holder.pid} ({holder.command})"
    )


def _read_holder(path: Path) -> LockHolder | None:
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(int(fields["pid"]), str(fields["started"]), str(fields["command"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# Locks this process holds, by lock file, with how many times each was taken: a Dagster run that the
# CLI executes in-process takes the lock again through the warehouse resource, and must not deadlock.
_held: dict[Path, tuple[int, int]] = {}
_held_guard = threading.Lock()


def held_here(warehouse_dir: Path) -> bool:
    """Whether this process already holds the warehouse's run lock."""
    return lock_path(warehouse_dir).resolve() in _held


def current_holder(warehouse_dir: Path) -> LockHolder | None:
    """The holder of the warehouse's run lock, or None when no run is in progress."""
    path = lock_path(warehouse_dir)
    if not path.exists():
        return None
    if held_here(warehouse_dir):
        return _read_holder(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_holder(path) or LockHolder(0, "an unknown time", "unknown command")
    finally:
        os.close(fd)
    return None


def acquire(warehouse_dir: Path, command: str) -> bool:
    """Take the warehouse's run lock, or raise RunInProgress at once. True when this call took it,
    False when this process already held it (then `release` must still be called once for it)."""
    warehouse_dir = Path(warehouse_dir)
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(warehouse_dir).resolve()
    with _held_guard:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            return False
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunInProgress(warehouse_dir, _read_holder(path)) from None
        started = dt.datetime.now().astimezone().replace(microsecond=0).isoformat(sep=" ")
        record = json.dumps({"pid": os.getpid(), "started": started, "command": command}, ensure_ascii=False)
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
        _held[path] = (fd, 1)
        return True


def release(warehouse_dir: Path) -> None:
    """Give back one `acquire`; the lock is dropped when the last one is given back."""
    path = lock_path(warehouse_dir).resolve()
    with _held_guard:
        if path not in _held:
            return
        fd, count = _held[path]
        if count > 1:
            _held[path] = (fd, count - 1)
            return
        del _held[path]
        # The file stays (removing it would let two runs lock two different files); it is emptied so
        # that nobody reads a finished run's pid as a live one.
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def run_lock(warehouse_dir: Path, command: str) -> Iterator[bool]:
    """Hold the warehouse's run lock for the block; yields True when this block took it first."""
    first = acquire(warehouse_dir, command)
    try:
        yield first
    finally:
        release(warehouse_dir)


def leftovers(warehouse_dir: Path) -> list[Path]:
    """Temporary files and folders a killed run left directly under the warehouse."""
    found: set[Path] = set()
    for pattern in LEFTOVER_PATTERNS:
        found |= {path for path in Path(warehouse_dir).glob(pattern) if path.name != LOCK_NAME}
    return sorted(found)


def remove_leftovers(warehouse_dir: Path) -> list[Path]:
    """Remove what `leftovers` finds; call only while holding the run lock (a live run owns them)."""
    if not held_here(warehouse_dir):
        raise RuntimeError(f"removing temporary files under {warehouse_dir} needs the run lock")
    removed = []
    for path in leftovers(warehouse_dir):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


_DUCKDB_PID = re.compile(r"\(PID (\d+)\)", re.IGNORECASE)


def duckdb_lock_pid(message: str) -> int | None:
    """The pid DuckDB names in its 'Could not set lock on file' error, if it names one."""
    match = _DUCKDB_PID.search(message)
    return int(match.group(1)) if match else None


def connect_for_writing(db_file: Path, wait_seconds: float = 15.0):
    """A read-write DuckDB connection to a file of the run's own, waiting while a short reader holds
    it (`planwatch status` started just before the run took its lock reads build.duckdb for a second;
    DuckDB refuses a writer while another process has the file open, even read-only)."""
    import duckdb

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(db_file))
        except duckdb.IOException as exc:
            if not is_lock_error(str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class SnapshotUnreadable(Exception):
    """The published snapshot cannot be opened; the message says why and what to do."""


def connect_snapshot(analytics_db: Path):
    """The published snapshot opened read-only, as every command reads it; SnapshotUnreadable, saying
    why, when DuckDB refuses it or when it was written to after its publish."""
    import duckdb

    from orchestration.seal import changed_since_publish

    if changed := changed_since_publish(Path(analytics_db)):
        raise SnapshotUnreadable(changed)
    try:
        return duckdb.connect(str(analytics_db), read_only=True)
    except duckdb.Error as exc:
        raise SnapshotUnreadable(_unreadable(Path(analytics_db), str(exc))) from exc


def _unreadable(analytics_db: Path, message: str) -> str:
    if is_lock_error(message):
        return (
            f"{describe_locked_file(analytics_db, message, run_may_hold=False)}; it was opened read-write: close that connection "
            "(analysts connect with read_only=True) and try again"
        )
    duckdb_says = message.splitlines()[0] if message else "no reason given"
    wal = Path(f"{analytics_db}.wal")
    if wal.exists():
        # A connection that opened an earlier snapshot read-write keeps writing its log under the name,
        # beside the file a publish swapped in, which DuckDB then refuses to open with it.
        return (
            f"{analytics_db} cannot be opened: {wal.name} beside it was written by a connection that opened "
            f"an earlier snapshot read-write (DuckDB: {duckdb_says}). Close that connection (analysts connect "
            "with read_only=True) and run `planwatch run` to publish the snapshot again"
        )
    return f"{analytics_db} cannot be opened (DuckDB: {duckdb_says}); run `planwatch run --force` to publish it again"


def is_lock_error(message: str) -> bool:
    return "could not set lock" in message.lower() or "conflicting lock" in message.lower()


def describe_locked_file(db_file: Path, message: str, *, run_may_hold: bool = True) -> str:
    """Who holds a DuckDB file, for a person: planwatch's run lock first (for build.duckdb, which a run
    and its dbt child write; never for the snapshot, which a run replaces without opening it
    read-write), then DuckDB's own words."""
    holder = current_holder(Path(db_file).parent) if run_may_hold else None
    if holder is not None and holder.pid:
        return f"{Path(db_file).name} is being written by {holder.command}, pid {holder.pid}, since {holder.started}"
    pid = duckdb_lock_pid(message)
    who = f"process {pid}" if pid else "another process"
    return f"{Path(db_file).name} is locked by {who} (DuckDB: could not set lock on {db_file})"
