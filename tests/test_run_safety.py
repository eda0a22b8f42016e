"""Runs that overlap, crash or meet a stale file: one run at a time per warehouse, no orphaned dbt,
true messages, a publish that survives an analyst's stale WAL, and nothing written into dbt_project/."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import freshness, locking
from orchestration.cli import main, status
from orchestration.constants import PUBLIC_MARTS
from orchestration.publish import publish
from orchestration.refresh import snapshot_outcome
from orchestration.settings import DBT_PROJECT_DIR, Settings
from tests.builds import copy_publish_history, write_build_db

PLANWATCH = str(Path(sys.executable).with_name("planwatch"))

# A process that takes the run lock as `planwatch run` does and, if asked, holds build.duckdb open
# read-write, then waits to be killed.
HOLDER = r"""
import sys, time
from pathlib import Path
import duckdb
from orchestration import locking
warehouse, hold_db = Path(sys.argv[1]), sys.argv[2] == "hold-db"
locking.acquire(warehouse, "planwatch run --raw /srv/raw")
con = duckdb.connect(str(warehouse / "build.duckdb")) if hold_db else None
(warehouse / "ready").touch()
time.sleep(120)
"""


def _start_holder(warehouse: Path, hold_db: bool = False) -> subprocess.Popen:
    warehouse.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse), "hold-db" if hold_db else "lock-only"],
        start_new_session=True,
    )
    for _ in range(400):
        if (warehouse / "ready").exists():
            return holder
        time.sleep(0.05)
    _stop(holder)
    raise AssertionError("the lock holder did not start")


def _stop(process: subprocess.Popen) -> None:
    """Kill a process we started and its group (dbt included), even when a test failed."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_second_process_is_refused_with_the_holders_pid_until_the_holder_dies(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path)
    try:
        with pytest.raises(locking.RunInProgress) as refused:
            locking.acquire(tmp_path, "planwatch run")
        message = str(refused.value)
        assert message.startswith(f"a run is in progress on {tmp_path} since ")
        assert f"pid {holder.pid} (planwatch run --raw /srv/raw)" in message
        assert locking.current_holder(tmp_path).pid == holder.pid
    finally:
        _stop(holder)
    # SIGKILL drops the flock with its holder: no stale lock to clean by hand.
    assert locking.current_holder(tmp_path) is None
    assert locking.acquire(tmp_path, "planwatch run") is True
    locking.release(tmp_path)


def test_the_lock_is_taken_again_in_the_same_process_without_deadlock(tmp_path: Path) -> None:
    """`planwatch run` holds the lock and its in-process Dagster run takes it again (the resource)."""
    assert locking.acquire(tmp_path, "planwatch run") is True
    assert locking.acquire(tmp_path, "Dagster run abc") is False
    locking.release(tmp_path)
    assert locking.held_here(tmp_path)
    assert locking.current_holder(tmp_path).command == "planwatch run"
    locking.release(tmp_path)
    assert not locking.held_here(tmp_path)
    assert locking.current_holder(tmp_path) is None


@pytest.mark.parametrize(
    ("name", "is_dir", "removed"),
    [
        (".analytics.duckdb.4242.tmp", False, True),
        (".analytics.duckdb.4242.tmp.wal", False, True),
        (".analytics.duckdb.wal.stale.4242", False, True),
        (".parquet.4242.tmp", True, True),
        (".docs.tmp", True, True),
        (".docs.old.4242", True, True),
        (".parquet.old.4242", True, True),
        ("tmpab12_x9z", True, True),  # dbt docs scratch of an earlier release
        ("analytics.duckdb", False, False),
        ("analytics.duckdb.wal", False, False),  # an analyst's live log: publish deals with it
        ("build.duckdb", False, False),
        ("build.duckdb.wal", False, False),
        (".planwatch.lock", False, False),
        (".dagster", True, False),
        ("docs", True, False),
        ("parquet", True, False),
        ("dbt", True, False),
    ],
)
def test_leftovers_of_a_killed_run_and_nothing_else(
    tmp_path: Path, name: str, is_dir: bool, removed: bool
) -> None:
    path = tmp_path / name
    if is_dir:
        path.mkdir()
        (path / "inside.txt").write_text("x")
    else:
        path.write_text("x")
    with locking.run_lock(tmp_path, "planwatch run"):
        gone = locking.remove_leftovers(tmp_path)
    assert (gone == [path]) is removed
    assert path.exists() is not removed


def test_duckdb_lock_pid_is_read_from_its_error() -> None:
    message = (
        'IO Error: Could not set lock on file "/w/build.duckdb": Conflicting lock is held in '
        "/usr/bin/python3.11 (PID 10652). See also https://duckdb.org/docs/current/connect/concurrency"
    )
    assert locking.is_lock_error(message)
    assert locking.duckdb_lock_pid(message) == 10652
    assert locking.describe_locked_file(Path("/nowhere/build.duckdb"), message) == (
        "build.duckdb is locked by process 10652 (DuckDB: could not set lock on /nowhere/build.duckdb)"
    )


def test_an_analysts_lock_on_the_snapshot_is_not_blamed_on_the_run_in_progress(tmp_path: Path) -> None:
    """A run holds the warehouse's run lock, but never the snapshot read-write: the process DuckDB names
    holds it, and the message names that process, not the run."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    write_build_db(warehouse / "build.duckdb", ledger_file="filings/x.csv")
    snapshot = warehouse / "analytics.duckdb"
    publish(warehouse / "build.duckdb", snapshot, "run-1")
    snapshot.chmod(0o644)  # published read-only: this analyst made it writable (root needs not)
    analyst = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, pathlib, sys, time; c = duckdb.connect(sys.argv[1]); "
         "pathlib.Path(sys.argv[2]).touch(); time.sleep(120)", str(snapshot), str(tmp_path / "held")],
        start_new_session=True,
    )  # fmt: skip
    run = _start_holder(warehouse)
    try:
        _wait_for(tmp_path / "held")
        with pytest.raises(locking.SnapshotUnreadable) as caught:
            locking.connect_snapshot(snapshot)
    finally:
        _stop(run)
        _stop(analyst)
    assert str(caught.value).startswith(f"analytics.duckdb is locked by process {analyst.pid} (DuckDB: ")
    assert str(run.pid) not in str(caught.value)


def test_status_names_the_run_that_holds_build_duckdb_and_shows_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    write_build_db(warehouse / "build.duckdb", ledger_file="filings/x.csv")
    publish(warehouse / "build.duckdb", warehouse / "analytics.duckdb", "run-1")
    holder = _start_holder(warehouse, hold_db=True)
    try:
        assert status(Settings(tmp_path / "raw", warehouse)) == 0
    finally:
        _stop(holder)
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert f"A run is in progress: a run is in progress on {warehouse} since " in out
    assert f"pid {holder.pid} (planwatch run --raw /srv/raw)" in out
    # even a read-only look at build.duckdb would stop the run from opening it to write: status does not
    assert "Files: not shown while it runs (reading build.duckdb now could stop it)" in out
    assert "(run run-1), periods 2024-10..2024-10" in out


def test_publish_removes_a_stale_wal_and_readers_open_the_new_snapshot(tmp_path: Path) -> None:
    """An analyst opened analytics.duckdb read-write, created a table and was killed before a
    checkpoint: analytics.duckdb.wal stays. Swapped in beside it, the new file would be unreadable."""
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, "2024-09-01", ledger_file="filings/x.csv")
    publish(build, snapshot, "run-1")
    snapshot.chmod(0o644)  # published read-only: this analyst made it writable (root needs not)
    analyst = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, pathlib, sys, time; con = duckdb.connect(sys.argv[1]); "
         "con.execute('create table main.my_notes as select 1 as note'); "
         "pathlib.Path(sys.argv[2]).touch(); time.sleep(60)", str(snapshot), str(tmp_path / "ready")],
    )  # fmt: skip
    try:
        _wait_for(tmp_path / "ready")
    finally:
        analyst.kill()
        analyst.wait()
    wal = Path(f"{snapshot}.wal")
    assert wal.exists()
    write_build_db(
        build.with_name("build2.duckdb"),
        "2024-10-01",
        ledger_file="filings/x.csv",
        earlier_periods=("2024-09-01",),
    )
    result = publish(build.with_name("build2.duckdb"), snapshot, "run-2")
    assert result.stale_wal == wal
    assert not wal.exists()
    assert not list(tmp_path.glob(".analytics.duckdb*"))
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert (
            str(con.execute("select max(period) from marts.indicator_progress").fetchone()[0]) == "2024-10-01"
        )
        assert con.execute(
            "select run_id from marts.publish_log order by published_at, run_id"
        ).fetchall() == [
            ("run-1",),
            ("run-2",),
        ]


# An analyst's read-write connection, opened before a publish and written through after it: DuckDB
# writes the log under the snapshot's name, beside the file the publish swapped in.
LATE_WRITER = r"""
import sys, time
from pathlib import Path
import duckdb
snapshot, folder = sys.argv[1], Path(sys.argv[2])
con = duckdb.connect(snapshot)
(folder / "connected").touch()
while not (folder / "write").exists():
    time.sleep(0.05)
con.execute("create table main.my_notes as select 42 as note")
(folder / "written").touch()
time.sleep(120)
"""


def _wait_for(path: Path) -> None:
    for _ in range(400):
        if path.exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"{path.name} did not appear")


def test_a_log_written_beside_a_new_snapshot_is_explained_and_the_next_run_publishes_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's case: readers got DuckDB's 'WAL does not match database file' as a traceback, and
    `planwatch run` said the snapshot was current."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    build, snapshot = warehouse / "build.duckdb", warehouse / "analytics.duckdb"
    write_build_db(build, "2024-09-01", ledger_file="filings/x.csv")
    publish(build, snapshot, "run-1")
    analyst = subprocess.Popen(
        [sys.executable, "-c", LATE_WRITER, str(snapshot), str(tmp_path)], start_new_session=True
    )
    try:
        _wait_for(tmp_path / "connected")
        settings = Settings(tmp_path / "raw", warehouse)
        freshness.remember(settings, {}, "run-2", "2026-12-05 10:00:00")
        build = copy_publish_history(
            build,
            write_build_db(
                warehouse / "build2.duckdb",
                "2024-10-01",
                ledger_file="filings/x.csv",
                earlier_periods=("2024-09-01",),
            ),
        )
        publish(build, snapshot, "run-2")
        (tmp_path / "write").touch()
        _wait_for(tmp_path / "written")
        assert Path(f"{snapshot}.wal").exists()
        with pytest.raises(locking.SnapshotUnreadable) as caught:
            locking.connect_snapshot(snapshot)
        assert str(caught.value).startswith(
            f"{snapshot} cannot be opened: analytics.duckdb.wal beside it was written by a connection that "
            "opened an earlier snapshot read-write (DuckDB: "
        )
        assert str(caught.value).endswith("run `planwatch run` to publish the snapshot again")
        assert status(settings) == 0
        out = capsys.readouterr().out
        assert "Traceback" not in out
        assert f"Published snapshot: not shown, {snapshot} cannot be opened: analytics.duckdb.wal" in out
        assert "  published snapshot: not read now (why: below)\n" in out and "nothing published" not in out
        # what the last run left has changed: the next `planwatch run` is not a no-op
        assert freshness.unchanged_since(settings, {}) is None
    finally:
        _stop(analyst)
    publish(build, snapshot, "run-3")
    with locking.connect_snapshot(snapshot) as con:
        assert con.execute("select run_id from marts.publish_log order by all").fetchall() == [
            ("run-1",),
            ("run-2",),
            ("run-3",),
        ]


def test_a_warehouse_folder_that_cannot_be_written_is_a_usage_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests run as root, for whom no folder is read-only: a warehouse under a file fails the same way
    (an OSError from the folder, as EROFS from a read-only mount)."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    warehouse = tmp_path / "notes.txt" / "warehouse"
    assert main(["run", "--raw", str(tmp_path / "raw"), "--warehouse", str(warehouse), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith(f"planwatch: cannot write in the warehouse folder {warehouse} (Not a directory): ")
    assert "point --warehouse (or PLANWATCH_WAREHOUSE_DIR) at a folder you can write" in err


def test_a_failed_runs_message_says_what_happened_to_the_snapshot(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, ledger_file="filings/x.csv")
    publish(build, snapshot, "run-1")
    stat = snapshot.stat()
    before = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    assert snapshot_outcome(snapshot, before, "run-2") == f"nothing published; {snapshot} is unchanged"
    publish(build, snapshot, "run-2")
    assert (
        snapshot_outcome(snapshot, before, "run-2")
        == f"{snapshot} was published by this run, but a later step failed"
    )
    assert (
        snapshot_outcome(snapshot, before, "run-3")
        == f"{snapshot} changed during the run, but planwatch did not write it"
    )


# --- end to end: real `planwatch run` processes on one small demo warehouse -----------------------


def _popen_run(raw: Path, warehouse: Path, log: Path) -> subprocess.Popen:
    """A run that does the whole work (--force: the warehouse is current, and a no-op ends too soon)."""
    return subprocess.Popen(
        [PLANWATCH, "run", "--force", "--raw", str(raw), "--warehouse", str(warehouse)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )


def _children(pid: int) -> list[tuple[int, str]]:
    """Live child processes of `pid` with their command lines (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append((int(entry.name), cmdline))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _marts(snapshot: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return {
            mart: sorted(map(str, con.execute(f"select * from marts.{mart}").fetchall()))
            for mart in PUBLIC_MARTS
        }


@pytest.fixture(scope="module")
def warehouse_after_first_run(
    tmp_path_factory: pytest.TempPathFactory, demo_first_run
) -> tuple[Path, Path, dict]:
    """One demo raw folder (30 enterprises, 4 months) and one clean first run, shared by the slow tests."""
    raw, warehouse = demo_first_run.copy_to(tmp_path_factory.mktemp("run_safety"))
    return raw, warehouse, _marts(warehouse / "analytics.duckdb")


def _tree(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*")}


@pytest.mark.slow
def test_a_second_run_is_refused_while_the_first_runs_which_writes_nothing_under_dbt_project(
    warehouse_after_first_run: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    """The first run is a whole one (--force): it writes dbt's target and logs under the warehouse and
    nothing under dbt_project/, and a second run is refused while it runs."""
    raw, warehouse, _ = warehouse_after_first_run
    before = _tree(DBT_PROJECT_DIR)
    first = _popen_run(raw, warehouse, tmp_path / "first.log")
    try:
        for _ in range(600):
            if locking.current_holder(warehouse) is not None:
                break
            time.sleep(0.05)
        assert locking.current_holder(warehouse).pid == first.pid
        second = subprocess.run(
            [PLANWATCH, "run", "--raw", str(raw), "--warehouse", str(warehouse)],
            capture_output=True,
            text=True,
        )
        assert second.returncode == 1
        assert f"planwatch: a run is in progress on {warehouse} since " in second.stderr
        assert f", pid {first.pid} (planwatch run --raw {raw})" in second.stderr
        assert "Traceback" not in second.stderr
        shown = subprocess.run(
            [PLANWATCH, "status", "--warehouse", str(warehouse)], capture_output=True, text=True
        )
        assert shown.returncode == 0, shown.stderr
        assert "Traceback" not in shown.stdout + shown.stderr
        assert f"pid {first.pid}" in shown.stdout
        assert first.wait(timeout=600) == 0, (tmp_path / "first.log").read_text()[-3000:]
    finally:
        _stop(first)
    assert _tree(DBT_PROJECT_DIR) == before
    assert (warehouse / "dbt" / "target" / "run_results.json").exists()
    assert (warehouse / "dbt" / "logs" / "dbt.log").exists()


@pytest.mark.slow
def test_a_killed_run_leaves_no_dbt_behind_and_the_next_run_cleans_up(
    warehouse_after_first_run: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    raw, warehouse, clean_marts = warehouse_after_first_run
    run = _popen_run(raw, warehouse, tmp_path / "killed.log")
    dbt_pid = None
    try:
        for _ in range(1200):
            builds = [pid for pid, cmd in _children(run.pid) if "planwatch-dbt" in cmd and " build" in cmd]
            if builds:
                dbt_pid = builds[0]
                break
            time.sleep(0.05)
        assert dbt_pid is not None, (tmp_path / "killed.log").read_text()[-3000:]
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        # the watchdog polls every 0.5 s; a loaded machine may take a while to schedule it
        for _ in range(300):
            if not _alive(dbt_pid):
                break
            time.sleep(0.1)
        assert not _alive(dbt_pid), "dbt outlived the planwatch run that started it"
    finally:
        _stop(run)
    # What a run killed while publishing would leave as well.
    (warehouse / ".analytics.duckdb.999999.tmp").write_bytes(b"half a snapshot")
    (warehouse / ".parquet.999999.tmp").mkdir()
    (warehouse / ".docs.tmp").mkdir(exist_ok=True)
    planted = len(locking.leftovers(warehouse))
    assert planted >= 3
    after = subprocess.run(
        [PLANWATCH, "run", "--raw", str(raw), "--warehouse", str(warehouse)], capture_output=True, text=True
    )
    assert after.returncode == 0, after.stderr[-3000:]
    assert (
        f"planwatch: removed {planted} temporary files a stopped run left under {warehouse}" in after.stderr
    )
    assert locking.leftovers(warehouse) == []
    assert _marts(warehouse / "analytics.duckdb") == clean_marts


def test_the_wrapper_is_the_dbt_planwatch_starts() -> None:
    from orchestration.project import dbt_executable

    assert Path(dbt_executable()).name == "planwatch-dbt"
    assert shutil.which(dbt_executable()) is not None


@pytest.mark.parametrize(
    ("named", "parent_now", "alive", "watched"),
    [
        (None, 40, set(), 40),  # started by hand: the parent at start
        ("", 40, set(), 40),
        ("40", 40, {40}, 40),  # started by planwatch, which still runs
        ("40", 1, set(), None),  # planwatch killed while dbt started: dbt is handed to pid 1
        ("40", 7, set(), None),  # ... or to a subreaper
        ("40", 7, {40}, 7),  # the name came with an inherited environment: the parent now
        ("not a pid", 40, set(), 40),
    ],
)
def test_the_wrapper_watches_the_process_that_started_it(
    named: str | None, parent_now: int, alive: set[int], watched: int | None
) -> None:
    from orchestration.dbt_child import parent_to_watch

    assert parent_to_watch(named, parent_now, alive.__contains__) == watched


# Starts planwatch-dbt with this process named as its starter, prints both pids and exits at once:
# the child is handed to another parent before its watchdog can have begun.
QUICK_PARENT = r"""
import os, subprocess, sys
from orchestration.project import dbt_executable
env = {**os.environ, "PLANWATCH_DBT_PARENT_PID": str(os.getpid()), "PLANWATCH_BUILD_DB": sys.argv[1]}
with open(sys.argv[2], "w") as stderr:
    child = subprocess.Popen([dbt_executable(), "debug", "--log-path", sys.argv[3]], env=env,
                             stdout=subprocess.DEVNULL, stderr=stderr, cwd=sys.argv[4])
print(os.getpid(), child.pid)
os._exit(0)
"""


def test_dbt_whose_starter_died_while_it_started_stops_before_it_begins(tmp_path: Path) -> None:
    """The race a killed run met on a loaded machine: the run died before dbt's watchdog began, dbt
    was already another process's child, and without the starter's name it ran its whole build."""
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            QUICK_PARENT,
            str(tmp_path / "build.duckdb"),
            str(tmp_path / "stderr.txt"),
            str(tmp_path / "logs"),
            str(DBT_PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    starter, child = map(int, started.stdout.split())
    for _ in range(600):
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child), "dbt went on after the process that started it was gone"
    assert f"planwatch-dbt: parent process {starter} is gone" in (tmp_path / "stderr.txt").read_text()
    assert not (tmp_path / "build.duckdb").exists()  # dbt never connected


def test_the_wrapper_runs_dbt_beside_the_build_database_as_a_person_would_start_it(tmp_path: Path) -> None:
    """`planwatch-dbt debug` from inside dbt_project/ with relative options, as the README's plain dbt
    line: the database named by PLANWATCH_BUILD_DB is the one dbt connects to, and the relative log
    folder stays relative to where the command was typed."""
    from orchestration.project import dbt_executable

    database = tmp_path / "elsewhere" / "build.duckdb"
    database.parent.mkdir()
    result = subprocess.run(
        [
            dbt_executable(),
            "debug",
            "--no-use-colors",
            "--log-path",
            os.path.relpath(tmp_path / "logs", DBT_PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "PLANWATCH_BUILD_DB": str(database)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Connection test: [OK connection ok]" in result.stdout
    assert "path: build.duckdb" in result.stdout  # the profile names the file only: one partial parse
    assert database.is_file()
    assert (tmp_path / "logs" / "dbt.log").is_file()


def test_the_summary_names_a_process_still_writing_the_build_instead_of_a_traceback(tmp_path: Path) -> None:
    """A dbt child that outlived its failed step held build.duckdb when the summary opened it."""
    from orchestration.summary import summary_lines

    warehouse = tmp_path / "warehouse"
    holder = _start_holder(warehouse, hold_db=True)
    try:
        lines = summary_lines(
            Settings(tmp_path / "raw", warehouse),
            since=dt.datetime(2026, 1, 1),
            published="nothing published",
        )
    finally:
        _stop(holder)
    assert lines[1] == (
        f"  files this run: not counted, build.duckdb is locked by process {holder.pid} "
        f"(DuckDB: could not set lock on {warehouse / 'build.duckdb'})"
    )
    assert lines[2] == "  nothing published"


# a process that takes SIGINT is waited for as long as it needs; one that ignores it is killed after
# the timeout, which is kept short here
@pytest.mark.parametrize(("ignores_sigint", "timeout"), [(False, 60), (True, 2)])
def test_a_dbt_process_the_step_stops_reading_is_ended(ignores_sigint: bool, timeout: float) -> None:
    """The dbt step failed on an event (a test the loaded manifest did not know) while dbt ran on."""
    from orchestration.project import ensure_manifest

    ensure_manifest()  # the dbt assets load it on import; run alone, no earlier test has parsed it
    from orchestration.assets.dbt import stopped_if_abandoned

    # set either way: a child inherits an ignored SIGINT (pytest-xdist's workers ignore it, and so may a
    # Dagster step process), which is why the stopper kills after the timeout
    handler = "signal.SIG_IGN" if ignores_sigint else "signal.default_int_handler"
    code = f"import signal, time\nsignal.signal(signal.SIGINT, {handler})\n"
    code += "print('ready', flush=True)\ntime.sleep(120)\n"
    dbt = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert dbt.stdout.readline() == "ready\n"
        with pytest.raises(KeyError), stopped_if_abandoned(dbt, timeout=timeout):
            raise KeyError("test.planwatch.not_null_int_chain_cells_rd_enterprises.7deca6f51a")
        assert dbt.poll() == (-signal.SIGKILL if ignores_sigint else -signal.SIGINT)
    finally:
        dbt.kill()
        dbt.wait()
