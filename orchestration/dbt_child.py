"""`planwatch-dbt`: dbt's own command line in a process that ends when the process that started it ends.

dagster-dbt runs dbt as a child process. When `planwatch run` is killed (SIGKILL, OOM killer) that child
would go on holding build.duckdb's write lock; a watchdog thread notices that the parent is gone (the
child is re-parented) and ends the process at once, which releases the lock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time

POLL_SECONDS = 0.5
EXIT_ORPHANED = 3  # what `dbt` itself never returns (0 ok, 1 failure, 2 error)

# dagster-dbt sets DBT_LOG_PATH to the invocation's target folder; planwatch asks for one log folder.
LOG_PATH_ENV = "PLANWATCH_DBT_LOG_PATH"


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent:
            # stderr is a pipe to the dead parent: writing raises EPIPE, which must not stop the exit.
            with contextlib.suppress(OSError):
                os.write(2, f"planwatch-dbt: parent process {parent} is gone; stopping dbt\n".encode())
            os._exit(EXIT_ORPHANED)


def main() -> None:
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="parent-watchdog", daemon=True).start()
    if os.environ.get(LOG_PATH_ENV):
        os.environ["DBT_LOG_PATH"] = os.environ[LOG_PATH_ENV]
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
