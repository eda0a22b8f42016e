"""Settings from the environment: a value planwatch cannot use is refused before anything runs."""

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
