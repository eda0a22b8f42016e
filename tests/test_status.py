"""`planwatch status`'s summary lines, from the ledger and snapshot tuples it reads."""

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest
from orchestration.status import CITY_WIDE, _ledger, registry_in_force, summary

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


def test_a_rejection_fixed_at_the_same_path_is_no_longer_listed(tmp_path: Path) -> None:
    """The office sends a cut file, then the whole file under the same name: status lists the fix,
    not the rejection (which the ledger keeps)."""
    raw, build_db = tmp_path / "raw", tmp_path / "build.duckdb"
    path = raw / "districts" / "万州_2024-10.csv"
    path.parent.mkdir(parents=True)
    header = "区县,报告期,企业个数,营业收入本年累计,研发费用本年累计\n"
    path.write_text(header + "万州区,2024-10,3,100.5,2\n万州区,2024-1", encoding="utf-8")
    (raw / "districts" / "涪陵_2024-10.csv").write_text(
        "区县,报告期,企业个数\n涪陵区,2024-1", encoding="utf-8"
    )
    with duckdb.connect(str(build_db)) as con:
        ingest(con, raw, tmp_path / "q", "districts")
    counts, rejected, *_ = _ledger(build_db)
    assert [source for source, _ in rejected] == ["districts/万州_2024-10.csv", "districts/涪陵_2024-10.csv"]

    path.write_text(header + "万州区,2024-10,3,100.5,2\n", encoding="utf-8")
    with duckdb.connect(str(build_db)) as con:
        ingest(con, raw, tmp_path / "q", "districts")
        rejections = con.execute(
            "select count(*) from raw.ingest_ledger where status = 'rejected'"
        ).fetchone()
    assert rejections == (2,)
    counts, rejected, _superseded, _refused, _withdrawn, totals, _ = _ledger(build_db)
    assert [source for source, _ in rejected] == ["districts/涪陵_2024-10.csv"]
    assert totals == [("ingested", 1), ("rejected", 1)]
    assert ("districts", "2024-10", "ingested", 1) in counts
