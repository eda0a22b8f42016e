"""Whether `planwatch run` has anything to do.

A successful run records what it saw (warehouse/.last-run.json): every entry under raw/ by path, type,
size and modification time (links and hidden files included, so a new link is news too), a digest of
the code that turns them into figures (the dbt project, the expectation suites, the orchestration
package, the installed versions of dbt, Dagster, DuckDB and Great Expectations), and the files it left
behind (build and published databases, the docs). The next run compares: when all of it is the same,
nothing the run could do would change a figure, so it says so and stops. Like make and rsync, a file
rewritten with the same size and modification time is not noticed; `planwatch run --force` runs anyway.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from orchestration.seal import seal_path
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

STATE_FILE = ".last-run.json"
# The dbt project: what its docs and every model depend on.
DBT_FOLDERS = tuple(DBT_PROJECT_DIR / name for name in ("models", "macros", "seeds", "tests"))
DBT_FILES = (DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml")
DBT_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
# Everything else whose change can change a figure, a check or a report.
CODE_FOLDERS = (*DBT_FOLDERS, PROJECT_ROOT / "expectations", Path(__file__).resolve().parent)
PACKAGES = (*DBT_PACKAGES, "dagster", "dagster-dbt", "great_expectations")
SKIPPED_PARTS = {"__pycache__", "target", "logs", "dbt_packages"}


@dataclass(frozen=True)
class Unchanged:
    """The run a no-op run found nothing new since."""

    run_id: str
    finished_at: str
    raw_entries: int


def raw_digest(raw_dir: Path) -> tuple[str, int]:
    """Digest of every entry under raw/ (not following links) and how many entries there are."""
    digest = hashlib.sha256()
    count = 0
    for folder, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(folder, name)
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            count += 1
            kind = stat.S_IFMT(info.st_mode)
            size = info.st_size if stat.S_ISREG(info.st_mode) else 0
            mtime = info.st_mtime_ns if not stat.S_ISDIR(info.st_mode) else 0
            digest.update(f"{path.relative_to(raw_dir)}\0{kind}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest(), count


def code_digest(
    folders: tuple[Path, ...] = CODE_FOLDERS,
    files: tuple[Path, ...] = DBT_FILES,
    packages: tuple[str, ...] = PACKAGES,
) -> str:
    """Digest of the content of the code and configuration that computes the figures (by default), or
    of the given folders, files and installed package versions."""
    digest = hashlib.sha256()
    named = [(path.name, path) for path in files]
    for folder in folders:
        named += [
            (f"{folder.name}/{path.relative_to(folder).as_posix()}", path)
            for path in folder.rglob("*")
            if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(folder).parts)
        ]
    for name, path in sorted(named):
        digest.update(f"{name}\0".encode())
        digest.update(path.read_bytes())
    for package in packages:
        try:
            digest.update(f"{package}=={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing\n".encode())
    return digest.hexdigest()


def dbt_digest() -> str:
    """Digest of the dbt project and the dbt it runs on: what the dbt docs are made of."""
    return code_digest(DBT_FOLDERS, DBT_FILES, DBT_PACKAGES)


def _signature(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return [info.st_ino, info.st_mtime_ns, info.st_size]


def outputs(settings: Settings) -> dict[str, list[int] | None]:
    """What a successful run leaves behind and a no-op run relies on being as it was left."""
    paths = {
        "build": settings.build_db,
        "snapshot": settings.analytics_db,
        # a log an analyst's read-write connection left beside the snapshot makes it unreadable
        "snapshot_wal": Path(f"{settings.analytics_db}.wal"),
        # the publishes' digests: a list edited or deleted is no longer the one the run left
        "snapshot_seal": seal_path(settings.analytics_db),
        "docs": settings.docs_dir / "static_index.html",
        "data_docs": settings.data_docs_dir / "index.html",
    }
    return {name: _signature(path) for name, path in paths.items()}


def fingerprint(settings: Settings) -> dict:
    """What a run sees before it starts."""
    raw, entries = raw_digest(settings.raw_dir)
    return {
        "raw_dir": str(settings.raw_dir.resolve()),
        "raw": raw,
        "raw_entries": entries,
        "code": code_digest(),
        "dbt": dbt_digest(),
    }


def needs_full_refresh(settings: Settings, seen: dict) -> str | None:
    """Why the incremental models must be rebuilt from the raw tables, or None. They cannot see a
    change to the dbt project (a model, a macro, a seed such as industry_scope), so a build database
    that the last successful run did not leave with this same dbt project is rebuilt whole: after a
    dbt change, and after a run that failed or was stopped (which forgets the record)."""
    if not settings.build_db.exists():
        return None  # a first build is a full build
    try:
        state = json.loads((settings.warehouse_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return "no successful run recorded this build database"
    if state.get("dbt") != seen["dbt"]:
        return "the dbt project (models, macros, seeds) changed since the last successful run"
    return None


def forget(settings: Settings) -> None:
    """A run is starting: until it succeeds, nothing is known to be current."""
    (settings.warehouse_dir / STATE_FILE).unlink(missing_ok=True)


def remember(settings: Settings, seen: dict, run_id: str, finished_at: str) -> None:
    """A run succeeded: record what it saw and what it left, written whole or not at all."""
    state = {**seen, "run_id": run_id, "finished_at": finished_at, "outputs": outputs(settings)}
    path = settings.warehouse_dir / STATE_FILE
    partial = path.with_name(f"{path.name}.tmp")
    partial.write_text(json.dumps(state, indent=1), encoding="utf-8")
    os.replace(partial, path)


def unchanged_since(settings: Settings, seen: dict) -> Unchanged | None:
    """The last successful run, when raw/, the code and its outputs are as it left them."""
    try:
        state = json.loads((settings.warehouse_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if any(state.get(key) != value for key, value in seen.items()):
        return None
    if state.get("outputs") != outputs(settings):
        return None
    return Unchanged(state["run_id"], state["finished_at"], seen["raw_entries"])
