"""What makes `planwatch run` a no-op: orchestration/freshness.py on real folders."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestration import freshness
from orchestration.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "filings").mkdir(parents=True)
    (raw / "filings" / "企业月报_2024-01.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    warehouse.mkdir()
    for name in ("build.duckdb", "analytics.duckdb"):
        (warehouse / name).write_bytes(b"db")
    return Settings.resolve(raw, warehouse)


def _add(raw: Path) -> None:
    (raw / "filings" / "企业月报_2024-02.csv").write_text("a,b\n3,4\n", encoding="utf-8")


def _remove(raw: Path) -> None:
    (raw / "filings" / "企业月报_2024-01.csv").unlink()


def _rewrite_longer(raw: Path) -> None:
    (raw / "filings" / "企业月报_2024-01.csv").write_text("a,b\n1,2\n5,6\n", encoding="utf-8")


def _touch(raw: Path) -> None:
    path = raw / "filings" / "企业月报_2024-01.csv"
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def _link(raw: Path) -> None:
    (raw / "filings" / "passwd.csv").symlink_to("/etc/passwd")


def _hidden(raw: Path) -> None:
    (raw / "filings" / ".~lock.企业月报_2024-01.csv#").write_text("x", encoding="utf-8")


def _folder(raw: Path) -> None:
    (raw / "registry").mkdir()


@pytest.mark.parametrize(
    "change",
    [_add, _remove, _rewrite_longer, _touch, _link, _hidden, _folder],
    ids=lambda change: change.__name__.lstrip("_"),
)
def test_any_change_under_raw_is_news(settings: Settings, change: Callable[[Path], None]) -> None:
    seen = freshness.fingerprint(settings)
    freshness.remember(settings, seen, "run-1", "2026-12-01 10:00:00")
    assert freshness.unchanged_since(settings, freshness.fingerprint(settings)) is not None
    change(settings.raw_dir)
    assert freshness.unchanged_since(settings, freshness.fingerprint(settings)) is None


def test_nothing_changed_names_the_run_and_counts_the_entries(settings: Settings) -> None:
    freshness.remember(settings, freshness.fingerprint(settings), "run-1", "2026-12-01 10:00:00")
    same = freshness.unchanged_since(settings, freshness.fingerprint(settings))
    assert same == freshness.Unchanged("run-1", "2026-12-01 10:00:00", 2)  # the folder and the file


@pytest.mark.parametrize("name", ["build.duckdb", "analytics.duckdb"])
def test_a_warehouse_file_written_or_deleted_since_is_news(settings: Settings, name: str) -> None:
    freshness.remember(settings, freshness.fingerprint(settings), "run-1", "2026-12-01 10:00:00")
    (settings.warehouse_dir / name).write_bytes(b"changed by someone else")
    assert freshness.unchanged_since(settings, freshness.fingerprint(settings)) is None
    (settings.warehouse_dir / name).unlink()
    assert freshness.unchanged_since(settings, freshness.fingerprint(settings)) is None


def test_another_raw_folder_or_other_code_is_news(settings: Settings) -> None:
    seen = freshness.fingerprint(settings)
    freshness.remember(settings, seen, "run-1", "2026-12-01 10:00:00")
    assert freshness.unchanged_since(settings, {**seen, "raw_dir": "/elsewhere"}) is None
    assert freshness.unchanged_since(settings, {**seen, "code": "0" * 64}) is None


def test_a_started_run_forgets_until_it_succeeds(settings: Settings) -> None:
    freshness.remember(settings, freshness.fingerprint(settings), "run-1", "2026-12-01 10:00:00")
    freshness.forget(settings)
    assert freshness.unchanged_since(settings, freshness.fingerprint(settings)) is None


def test_a_damaged_state_file_means_run(settings: Settings) -> None:
    (settings.warehouse_dir / freshness.STATE_FILE).write_text("{not json", encoding="utf-8")
    assert freshness.unchanged_since(settings, freshness.fingerprint(settings)) is None


def test_the_code_digest_follows_content_not_time(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "a.sql").write_text("select 1", encoding="utf-8")
    before = freshness.code_digest((folder,), (), ())
    os.utime(folder / "a.sql", (1, 1))
    assert freshness.code_digest((folder,), (), ()) == before
    (folder / "a.sql").write_text("select 2", encoding="utf-8")
    changed = freshness.code_digest((folder,), (), ())
    assert changed != before
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert freshness.code_digest((folder,), (), ()) == changed  # compiled files are not code
    (folder / "b.sql").write_text("", encoding="utf-8")
    assert freshness.code_digest((folder,), (), ()) != changed  # a new file is, even empty


def test_a_build_database_is_rebuilt_whole_unless_this_dbt_project_left_it(settings: Settings) -> None:
    seen = freshness.fingerprint(settings)
    assert freshness.needs_full_refresh(settings, seen) == "no successful run recorded this build database"
    freshness.remember(settings, seen, "run-1", "2026-12-01 10:00:00")
    assert freshness.needs_full_refresh(settings, seen) is None
    assert freshness.needs_full_refresh(settings, {**seen, "dbt": "0" * 64}) == (
        "the dbt project (models, macros, seeds) changed since the last successful run"
    )
    freshness.forget(settings)  # a run started, and failed or was stopped
    assert freshness.needs_full_refresh(settings, seen) is not None
    settings.build_db.unlink()
    assert freshness.needs_full_refresh(settings, seen) is None  # a first build is a full build anyway
