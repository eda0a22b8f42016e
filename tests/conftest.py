"""Shared fixtures. Tests run offline: the environment below turns telemetry and version checks off."""

import os
import subprocess
import sys
from collections.abc import Callable
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


@pytest.fixture(scope="session")
def planwatch() -> Callable[..., subprocess.CompletedProcess]:
    return run_planwatch
