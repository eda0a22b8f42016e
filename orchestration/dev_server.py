"""`make dev`: `dg dev` in this process, stoppable by one SIGTERM however it was started.

A process started in the background by a non-interactive shell (`nohup make dev &`, a CI runner, some
service managers) inherits SIGINT ignored, and Python keeps it ignored. dagster dev maps SIGTERM to
whatever SIGINT does (its setup_interrupt_handlers), so such a server ignored `kill` as well as
Ctrl-C and had to be killed with SIGKILL, leaving its webserver, daemon and code server behind.
Restoring Python's own SIGINT handler first makes both stop it, with dagster's orderly shutdown.
"""

from __future__ import annotations

import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from dagster_dg_cli.cli import main as dg_main

    sys.argv = ["dg", "dev", *sys.argv[1:]]
    return dg_main()


if __name__ == "__main__":
    sys.exit(main())
