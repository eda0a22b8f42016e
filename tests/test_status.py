"""`planwatch status`'s summary lines, from the ledger and snapshot tuples it reads."""

import datetime as dt

import duckdb
import pytest

from orchestration.status import CITY_WIDE, registry_in_force, summary

LAST = (dt.datetime(2026, 11, 3, 9, 30), "run-7", dt.date(2022, 1, 1), dt.date(2026, 10, 1))


@pytest.mark.parametrize(
    ("findings", "line"),
    [
        # (code, name, errors, warns) as _published reads them; DQ12's findings name no district
        (
            [("500101", "万州区", 3, 1), (CITY_WIDE, "全市 city-wide", 0, 2), ("5001A1", "两江新区", 1, 0)],
            "  findings: 4 errors, 3 warnings in 2 districts and city-wide",
        ),
        ([("500101", "万州区", 3, 1)], "  findings: 3 errors, 1 warnings in 1 districts"),
        ([], "  findings: 0 errors, 0 warnings in 0 districts"),
    ],
)
def test_findings_count_districts_as_the_run_summary_does(findings: list[tuple], line: str) -> None:
    lines = summary((None, None, None, None, None, [("ingested", 12)]), (LAST, [], findings))
    assert lines == [
        "Summary",
        "  files: 12 ingested",
        "  published 2026-11-03 09:30, periods 2022-01..2026-10, 0 figures revised",
        line,
    ]


@pytest.fixture
def vintages() -> duckdb.DuckDBPyConnection:
    """intermediate.int_registry_vintages as a build leaves it: a 2022 list and a 2025 list received."""
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_registry_vintages as select * from (values "
        "(2022, 2022), (2023, 2022), (2024, 2022), (2025, 2025), (2026, 2025)) as t(scope_year, registry_vintage)"
    )
    return con


@pytest.mark.parametrize(
    ("period", "line"),
    [
        ("2024", "Registry in force for 2024: the list of 2022; "
                 "`planwatch status --kind registry --period 2022` lists its files"),
        ("2024-03", "Registry in force for 2024: the list of 2022; "
                    "`planwatch status --kind registry --period 2022` lists its files"),
        ("2025-01", "Registry in force for 2025: the list of 2025"),
        ("2019", "Registry in force for 2019: none (the last build had no registry list for that year)"),
    ],
)  # fmt: skip
def test_status_names_theregistry_in_force_for_a_year(
    vintages: duckdb.DuckDBPyConnection, period: str, line: str
) -> None:
    assert registry_in_force(vintages, period) == line


def test_before_the_first_build_no_registry_is_named() -> None:
    assert registry_in_force(duckdb.connect(), "2024") is None
