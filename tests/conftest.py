"""Shared fixtures. Tests run offline: the environment below turns telemetry and version checks off."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.settings import QUIET_ENV

os.environ.update(QUIET_ENV)

PLANWATCH = str(Path(sys.executable).with_name("planwatch"))


def run_planwatch(
    *args: str, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """The installed `planwatch` command in its own process, as a user runs it."""
    return subprocess.run(
        [PLANWATCH, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with end-to-end (slow) tests first, each file's tests in their order. `make test` gives each
    pytest-xdist worker a file at a time in this order: with a long file last, one worker ran it alone
    for minutes at the end while the other had nothing left; short files now fill that end instead."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # a stable sort keeps each file's order


@pytest.fixture(scope="session")
def planwatch() -> Callable[..., subprocess.CompletedProcess]:
    return run_planwatch


@pytest.fixture(scope="session")
def demo_first_run(tmp_path_factory: pytest.TempPathFactory) -> DemoFirstRun:
    """A demo raw folder (30 enterprises, 4 months, with faults) and the warehouse of its first
    `planwatch run`, built once per test session: the first pytest-xdist worker that asks builds it
    while the others wait. Read only: a test changes a copy (`demo_first_run.copy_to(folder)`)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker's temporary folders are in
    built = root / "demo_first_run"
    with (root / "demo_first_run.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "done").exists():
            shutil.rmtree(built, ignore_errors=True)
            raw, warehouse = built / "raw", built / "warehouse"
            made = run_planwatch("demo-data", "--out", str(raw), "--enterprises", "30", "--months", "4")
            assert made.returncode == 0, made.stderr
            first = run_planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
            assert first.returncode == 0, first.stderr[-3000:]
            (built / "first.stderr").write_text(first.stderr, encoding="utf-8")
            (built / "done").touch()
    return DemoFirstRun(built)


@dataclass(frozen=True)
class DemoFirstRun:
    """The folder `demo_first_run` built: raw/, warehouse/ and the run's first.stderr."""

    built: Path

    def copy_to(self, folder: Path) -> tuple[Path, Path]:
        """A copy of the raw folder and of the warehouse after one run, for a test to change at will."""
        shutil.copytree(self.built / "raw", folder / "raw", symlinks=True)
        shutil.copytree(self.built / "warehouse", folder / "warehouse", symlinks=True)
        return folder / "raw", folder / "warehouse"
