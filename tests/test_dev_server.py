"""`make dev`'s server: `dg dev` loads the code location from [tool.dg] and one SIGTERM stops all of it.

The webserver, the daemon and the code server are three processes besides `dg` itself; stopping
`make dev` once must leave none of them behind (the Makefile records dg's pid for that), even when it
was started in the background by a non-interactive shell, which starts it with SIGINT ignored (see
orchestration/dev_server.py).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
# as `make dev` starts it
DEV_SERVER = [sys.executable, "-m", "orchestration.dev_server"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _session_processes(session: int) -> list[str]:
    """Command lines of the processes of one session (what `dg dev` and its children run in)."""
    listed = subprocess.run(["ps", "-eo", "sid=,args="], capture_output=True, text=True, check=True).stdout
    return [line.split(None, 1)[1] for line in listed.splitlines() if line.split()[0] == str(session)]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dg_dev_serves_the_code_location_and_one_sigterm_stops_every_process(tmp_path: Path) -> None:
    settings = Settings.resolve(str(tmp_path / "raw"), str(tmp_path / "warehouse"))
    settings.prepare_dagster_home()
    port = _free_port()
    # as `make dev` starts it: the project's folder, the venv first on PATH
    env = {
        **os.environ,
        **settings.environment(),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    log = tmp_path / "dev.log"
    server = subprocess.Popen(
        [*DEV_SERVER, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # as `nohup make dev &` or a CI runner starts it: dagster maps SIGTERM to SIGINT's handler
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        jobs = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            try:
                found = _graphql(
                    port,
                    "{ repositoriesOrError { ... on RepositoryConnection { nodes { jobs { name } } } } }",
                )
                jobs = {
                    job["name"]
                    for node in found["data"]["repositoriesOrError"]["nodes"]
                    for job in node["jobs"]
                }
                if jobs:
                    break
            except (OSError, KeyError, TypeError):
                pass
            time.sleep(1)
        assert jobs and "refresh" in jobs, log.read_text(errors="replace")[-3000:]
        assert len(_session_processes(server.pid)) >= 4  # dg, webserver, daemon, code server

        server.send_signal(signal.SIGTERM)
        try:
            # dagster dev gives the webserver and then the daemon up to 60 s each before it kills them
            server.wait(timeout=150)
        except subprocess.TimeoutExpired:
            left = "\n".join(_session_processes(server.pid))
            said = "\n".join(
                line
                for line in log.read_text(errors="replace").splitlines()
                if "virtual environment" not in line
            )
            raise AssertionError(
                f"dg dev still running 150 s after SIGTERM:\n{left}\n--- its log:\n{said[-4000:]}"
            ) from None
        deadline = time.monotonic() + 30
        while _session_processes(server.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _session_processes(server.pid) == []
    finally:
        if server.poll() is None or _session_processes(server.pid):
            os.killpg(server.pid, signal.SIGKILL)
