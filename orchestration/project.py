"""The dbt project as Dagster sees it; its manifest is parsed when missing or older than the project."""

from __future__ import annotations

import fcntl
import functools
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.dbt_child import PARENT_PID_ENV
from orchestration.settings import DBT_PROJECT_DIR, QUIET_ENV, Settings

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class PlanwatchDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs of every dbt command that planwatch does
    not use (about 3.5 s of each run's fixed cost, measured with cProfile on a sample run):

    - the dbt version comes from the installed dbt-core package, not from `dbt --version` in a
      subprocess (1.8 s: a whole dbt start-up);
    - no dbt adapter is opened inside the Dagster process (1.5 s: dbt imported, project and profile
      loaded, macros parsed). dagster-dbt uses that handle only for `fetch_row_counts` and
      `fetch_column_metadata`, which planwatch does not call; dbt itself runs in its own process as
      before. dagster-dbt is pinned (requirements.lock); tests/test_definitions.py checks both
      overrides still match what they replace.
    """

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 - dagster-dbt's signature
        return None


def dbt_executable() -> str:
    """The dbt installed with this Python's packages (the venv's), so PATH does not decide which dbt
    runs; Dagster's code server may be started through another interpreter path than the venv's.
    `planwatch-dbt` (dbt ending with its parent, orchestration/dbt_child.py) comes first; plain `dbt`
    when the package was installed before that script existed."""
    folders = (sysconfig.get_path("scripts"), str(Path(sys.executable).parent), str(Path(sys.prefix) / "bin"))
    for name in ("planwatch-dbt", "dbt"):
        for folder in folders:
            candidate = Path(folder) / name
            if candidate.exists():
                return str(candidate)
    return shutil.which("planwatch-dbt") or shutil.which("dbt") or "dbt"


def _newest_source_mtime() -> float:
    """The latest change to the project's files, folders included: a file deleted or renamed changes
    only its folder's time, and a manifest that still held a deleted test made every later run wait
    for a check that never came."""
    newest = 0.0
    for folder in ("models", "macros", "seeds", "tests"):
        top = DBT_PROJECT_DIR / folder
        for path in (top, *top.rglob("*")):
            try:  # an editor's lock link pointing nowhere (.#a.sql), a file gone since the listing
                newest = max(newest, path.lstat().st_mtime)
            except FileNotFoundError:
                continue
    for name in ("dbt_project.yml", "profiles.yml"):
        newest = max(newest, (DBT_PROJECT_DIR / name).stat().st_mtime)
    return newest


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or older than any file of the dbt project."""
    manifest = dbt_project.manifest_path
    if _fresh(manifest):
        return manifest
    # Processes that load the definitions at once (test workers, a UI and a run) parse one at a
    # time: the first writes the manifest, the others find it fresh.
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with (manifest.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _fresh(manifest):
            _parse(manifest)
    return manifest


def _fresh(manifest: Path) -> bool:
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime()


def _parse(manifest: Path) -> None:
    """`dbt parse` into a folder of its own beside the manifest, whose files then replace the old ones
    each in one step, the manifest last. The freshness check above takes no lock: dbt writing straight
    into target/ let another process find a manifest with a new time and half its bytes (CI: a test
    worker's run failed on "unexpected end of data" while the other worker's parse wrote it)."""
    env = {**os.environ, **QUIET_ENV, PARENT_PID_ENV: str(os.getpid())}
    env.setdefault("PLANWATCH_BUILD_DB", str(Settings.resolve().build_db))
    for left in manifest.parent.glob(".parse-*"):  # a killed parse's; parses run one at a time
        shutil.rmtree(left, ignore_errors=True)
    parsed = Path(tempfile.mkdtemp(prefix=".parse-", dir=manifest.parent))
    # The manifest is dated when the parse began (a second early, for the file system's coarser clock):
    # a file of the project saved while dbt parsed is newer, so the next load parses again.
    began = time.time() - 1
    try:
        subprocess.run(
            [
                dbt_executable(),
                "--log-path",
                str(manifest.parent),
                "parse",
                "--quiet",
                "--target-path",
                str(parsed),
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            check=True,
            env=env,
            cwd=DBT_PROJECT_DIR,
        )
        os.utime(parsed / manifest.name, (began, began))
        # dagster-dbt copies partial_parse.msgpack into each run's target: it too is never half written
        for path in sorted(parsed.iterdir(), key=lambda path: path.name == manifest.name):
            os.replace(path, manifest.parent / path.name)
    finally:
        shutil.rmtree(parsed, ignore_errors=True)
