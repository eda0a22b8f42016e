"""Settings from the environment: a value planwatch cannot use is refused before anything runs."""

import os

import pytest

from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, ConfigurationError, memory_limit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, DEFAULT_DUCKDB_MEMORY_LIMIT),
        ("", DEFAULT_DUCKDB_MEMORY_LIMIT),
        ("  ", DEFAULT_DUCKDB_MEMORY_LIMIT),
        ("2GB", "2GB"),
        (" 512MB ", "512MB"),
        ("1.5gb", "1.5gb"),
        ("4GiB", "4GiB"),
        ("60%", "60%"),
        ("1 GB", "1 GB"),
    ],
)
def test_memory_limits_duckdb_accepts(text: str | None, expected: str) -> None:
    assert memory_limit(text) == expected


@pytest.mark.parametrize("text", ["2", "lots", "2 G", "GB", "-1GB", "2GB; drop table x", "八十%"])
def test_a_memory_limit_duckdb_cannot_read_is_refused_naming_the_variable(text: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        memory_limit(text)
    assert f"PLANWATCH_DUCKDB_MEMORY_LIMIT={text.strip()!r} is not a memory size" in str(refused.value)
    assert "e.g. 2GB, 512MB or 80%" in str(refused.value)


def test_planwatch_exits_2_on_a_bad_memory_limit(planwatch, tmp_path) -> None:
    (tmp_path / "raw").mkdir()
    result = planwatch(
        "run", "--raw", str(tmp_path / "raw"), "--warehouse", str(tmp_path / "w"),
        env={"PLANWATCH_DUCKDB_MEMORY_LIMIT": "lots"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "planwatch: PLANWATCH_DUCKDB_MEMORY_LIMIT='lots' is not a memory size" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "w").exists()  # refused before anything was written


def test_the_instance_configuration_is_written_whole_once_and_an_operators_own_is_kept(tmp_path) -> None:
    """A UI and a run starting at once on a new warehouse: the file is written beside and linked into
    place, so a reader never opens it empty and a writer never replaces one already there. (Threads
    seldom meet the old code's gap between create and write; what this pins is that eight writers at
    once leave one whole file and no partial one, and that an operator's file stays as written.)"""
    import threading

    from orchestration.settings import DAGSTER_YAML, write_dagster_yaml

    home = tmp_path / ".dagster"
    config = home / "dagster.yaml"
    read: list[str] = []
    writers = [threading.Thread(target=write_dagster_yaml, args=(home,)) for _ in range(8)]
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        if config.exists():
            read.append(config.read_text(encoding="utf-8"))
    for writer in writers:
        writer.join()
    assert set(read) <= {DAGSTER_YAML} and config.read_text(encoding="utf-8") == DAGSTER_YAML
    assert sorted(path.name for path in home.iterdir()) == ["dagster.yaml"]  # no partial file left
    umask = os.umask(0)
    os.umask(umask)
    # the mode a plain write gives it (mkstemp's 0600 would shut out a UI started by another user)
    assert config.stat().st_mode & 0o777 == 0o666 & ~umask
    config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    write_dagster_yaml(home)
    assert config.read_text(encoding="utf-8") == "telemetry:\n  enabled: false\n"


def test_the_instance_configuration_is_written_where_hard_links_are_refused(tmp_path, monkeypatch) -> None:
    """A warehouse on a share without hard links (os.link: 'Operation not permitted') still gets its
    dagster.yaml, whole, and no partial file stays beside it."""
    import errno

    from orchestration import settings

    def refuse(source, target) -> None:  # noqa: ANN001 - os.link's
        raise PermissionError(errno.EPERM, "Operation not permitted", str(target))

    monkeypatch.setattr(settings.os, "link", refuse)
    home = tmp_path / ".dagster"
    settings.write_dagster_yaml(home)
    assert [path.name for path in home.iterdir()] == ["dagster.yaml"]
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == settings.DAGSTER_YAML
