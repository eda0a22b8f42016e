"""`planwatch-dbt`: dbt's own command line in a process that ends when the process that started it ends.

dagster-dbt runs dbt as a child process. When `planwatch run` is killed (SIGKILL, OOM killer) that child
would go on holding build.duckdb's write lock; a watchdog thread notices that the parent is gone (the
child is re-parented) and ends the process at once, which releases the lock.

A parent killed while this process was still starting (before the watchdog began) has handed it to
another parent already, so the parent at start cannot be the yardstick: planwatch names itself in
PLANWATCH_DBT_PARENT_PID just before it starts dbt (orchestration/resources.py), and a child whose
named starter is gone stops before dbt begins.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable

POLL_SECONDS = 0.5
EXIT_ORPHANED = 3  # what `dbt` itself never returns (0 ok, 1 failure, 2 error)

# dagster-dbt sets DBT_LOG_PATH to the invocation's target folder; planwatch asks for one log folder.
LOG_PATH_ENV = "PLANWATCH_DBT_LOG_PATH"
# the pid of the process that starts dbt, set by that process (PARENT_PID_ENV: str(os.getpid()))
PARENT_PID_ENV = "PLANWATCH_DBT_PARENT_PID"
BUILD_DB_ENV = "PLANWATCH_BUILD_DB"
# the build database's file name, which profiles.yml prefers to PLANWATCH_BUILD_DB (see below)
DATABASE_NAME_ENV = "PLANWATCH_DBT_DATABASE"
# dbt options that take a path, made absolute before dbt starts in another folder
PATH_OPTIONS = ("--project-dir", "--profiles-dir", "--target-path", "--log-path", "--state", "--defer-state")


def parent_to_watch(named: str | None, parent_now: int, alive: Callable[[int], bool]) -> int | None:
    """The process whose end ends dbt, or None when the one that started it is gone already.

    `named` is PARENT_PID_ENV as this process found it: the starter when planwatch started it. A
    starter that is no longer the parent and no longer alive was killed while this process started;
    one that is alive but not the parent named itself in an environment someone else inherited (a
    process planwatch started that then started dbt), and the parent now is watched, as without a name.
    """
    try:
        starter = int(named) if named else parent_now
    except ValueError:
        return parent_now
    if starter == parent_now:
        return parent_now
    return parent_now if alive(starter) else None


def _alive(pid: int) -> bool:
    """Whether `pid` runs: a killed process its own parent has not reaped yet (a zombie) does not.
    Without /proc (not Linux) a zombie counts as alive, and only the parent at start is watched."""
    if not os.path.isdir("/proc/self"):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _stop_orphaned(parent: int) -> None:
    # stderr is a pipe to the dead parent: writing raises EPIPE, which must not stop the exit.
    with contextlib.suppress(OSError):
        os.write(2, f"planwatch-dbt: parent process {parent} is gone; stopping dbt\n".encode())
    os._exit(EXIT_ORPHANED)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent:
            _stop_orphaned(parent)


def _run_beside_the_database() -> None:
    """Run dbt in the build database's folder and name the database by its file name alone.

    dbt keeps its partial parse only while the profile's connection settings are unchanged; with the
    database's full path in the profile, every new warehouse (each test, a second warehouse) paid a
    full re-parse (3.3 s on the sample). The project folder is passed on explicitly, since dbt would
    otherwise look for dbt_project.yml in the working directory.
    """
    build_db = os.environ.get(BUILD_DB_ENV)
    if not build_db:
        return
    # what dbt would have found in the working directory it is about to leave
    os.environ.setdefault("DBT_PROJECT_DIR", os.getcwd())
    if os.path.isfile("profiles.yml"):
        os.environ.setdefault("DBT_PROFILES_DIR", os.getcwd())
    for name in ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR"):
        if os.environ.get(name):
            os.environ[name] = os.path.abspath(os.environ[name])
    for index, arg in enumerate(sys.argv[:-1]):
        if arg in PATH_OPTIONS:
            sys.argv[index + 1] = os.path.abspath(sys.argv[index + 1])
    absolute = os.path.abspath(build_db)
    # a parse before the first run (Dagster loading the definitions of a new warehouse) comes before
    # the folder the database will be in
    os.makedirs(os.path.dirname(absolute), exist_ok=True)
    os.chdir(os.path.dirname(absolute))
    os.environ[DATABASE_NAME_ENV] = os.path.basename(absolute)


def main() -> None:
    named = os.environ.pop(PARENT_PID_ENV, None)  # dbt's own children are not planwatch's to name
    parent = parent_to_watch(named, os.getppid(), _alive)
    if parent is None:
        _stop_orphaned(int(named or 0))
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()
    if os.environ.get(LOG_PATH_ENV):
        os.environ["DBT_LOG_PATH"] = os.environ[LOG_PATH_ENV]
    _run_beside_the_database()
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
