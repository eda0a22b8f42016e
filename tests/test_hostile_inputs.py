"""Hostile and broken inputs never stop the ingest of the other files, nothing outside raw/ is read,
and a file that leaves raw/ leaves the marts.

One warehouse, three runs over a generated folder (volume) plus hand-made hostile entries:
  run 0  the good files only (the session's shared first demo run, copied) → the marts of a clean run
  run 1  + a filing with 1e40 万元, a link to a file outside raw/, a hidden file, a folder named
           x.xlsx, a district submission from 火星区 (no such reporting unit), and a correction
           raising one enterprise's 2022-03 revenue by 5,000 万元
  run 2  the correction deleted                                → withdrawn; marts equal run 0's
"""

import csv
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.identity import uscc_check_char

COMPARED = ("indicator_progress", "chain_monthly", "district_monthly")


def write_csv(path: Path, rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        return {
            table: con.execute(f"select * from marts.{table} order by all").fetchall() for table in COMPARED
        }


def ledger(warehouse: Path) -> dict[str, tuple[str, str | None]]:
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        rows = con.execute("select source_file, status, reason from raw.ingest_ledger").fetchall()
    return {source: (status, reason) for source, status, reason in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, planwatch, demo_first_run) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    raw, warehouse = demo_first_run.copy_to(root)  # 30 enterprises, 4 months, after one run
    clean = marts(warehouse)
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        code, revenue = con.execute(
            "select uscc, revenue_ytd_wan from intermediate.int_enterprise_months "
            "where period = '2022-03-01' order by revenue_ytd_wan desc limit 1"
        ).fetchone()

    header = ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]
    secret = root / "outside" / "secret.csv"
    other = "91500101MA0000001"
    other += uscc_check_char(other)
    write_csv(secret, [header, [other, "2022-03", "SECRET-777", "1"]])
    filings = raw / "filings"
    os.symlink(secret, filings / "link_2022-03.csv")
    write_csv(
        filings / "补报_1e40_2022-03.csv",
        [header, [code, "2022-03", "5", "1"], [code, "2022-03", "1e40", "1"]],
    )
    write_csv(filings / ".隐藏_2022-03.csv", [header, [code, "2022-03", str(revenue + 99999), "1"]])
    (filings / "x.xlsx").mkdir()
    write_csv(
        filings / "x.xlsx" / "inside_2022-03.csv", [header, [code, "2022-03", str(revenue + 88888), "1"]]
    )
    write_csv(
        raw / "districts" / "火星区_2022-03.csv",
        [
            ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"],
            ["火星区", "2022-03", "3", "100", "1"],
        ],
    )
    correction = filings / "更正_2022-03.csv"
    write_csv(correction, [header, [code, "2022-03", str(revenue + 5000), "1"]])
    run1 = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    after_run1 = {"marts": marts(warehouse), "ledger": ledger(warehouse)}

    correction.unlink()
    run2 = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    status = planwatch("status", "--warehouse", str(warehouse))
    return {
        "root": root,
        "warehouse": warehouse,
        "clean": clean,
        "run1": run1,
        "after_run1": after_run1,
        "run2": run2,
        "status": status,
        "ledger": ledger(warehouse),
    }


@pytest.mark.slow
def test_hostile_entries_do_not_stop_the_run(runs: dict) -> None:
    assert runs["run1"].returncode == 0, runs["run1"].stderr[-3000:]
    assert runs["run2"].returncode == 0, runs["run2"].stderr[-3000:]


@pytest.mark.slow
def test_an_unstorable_number_rejects_its_file_naming_row_and_column(runs: dict) -> None:
    status, reason = runs["ledger"]["filings/补报_1e40_2022-03.csv"]
    assert status == "rejected"
    assert (
        "filings/补报_1e40_2022-03.csv, row 3: 营业收入本年累计 is 1e+40 万元, which cannot be stored"
        in reason
    )


@pytest.mark.slow
def test_links_hidden_files_and_folders_named_like_files_are_refused_unread(runs: dict) -> None:
    entries = runs["ledger"]
    assert entries["filings/link_2022-03.csv"][0] == "refused"
    assert "is a symbolic link" in entries["filings/link_2022-03.csv"][1]
    assert entries["filings/.隐藏_2022-03.csv"][0] == "refused"
    assert "hidden file" in entries["filings/.隐藏_2022-03.csv"][1]
    assert entries["filings/x.xlsx"][0] == "refused"
    assert "folder named like a file" in entries["filings/x.xlsx"][1]
    assert "filings/x.xlsx/inside_2022-03.csv" not in entries  # not walked into
    # nothing outside raw/ was copied or loaded: no byte of the link's target anywhere in the warehouse
    for path in runs["warehouse"].rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert b"SECRET-777" not in path.read_bytes(), path
    out = runs["status"].stdout
    assert runs["status"].returncode == 0
    assert "Refused unread" in out and "filings/link_2022-03.csv is a symbolic link" in out


@pytest.mark.slow
def test_a_file_that_left_raw_is_withdrawn_and_leaves_the_marts(runs: dict) -> None:
    assert runs["after_run1"]["ledger"]["filings/更正_2022-03.csv"][0] == "ingested"
    assert runs["after_run1"]["marts"] != runs["clean"]  # the correction counted while it was there
    assert runs["ledger"]["filings/更正_2022-03.csv"][0] == "withdrawn"
    assert "Withdrawn" in runs["status"].stdout and "filings/更正_2022-03.csv" in runs["status"].stdout


@pytest.mark.slow
def test_the_marts_of_the_good_files_equal_a_clean_run(runs: dict) -> None:
    assert marts(runs["warehouse"]) == runs["clean"]


@pytest.mark.slow
def test_an_unknown_district_is_a_finding_that_names_file_and_row(runs: dict) -> None:
    assert runs["ledger"]["districts/火星区_2022-03.csv"][0] == "ingested"
    with duckdb.connect(str(runs["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        findings = con.execute(
            "select severity, source_file, source_row, message from marts.dq_findings where rule_id = 'DQ15'"
        ).fetchall()
    assert [(severity, source, row) for severity, source, row, _ in findings] == [
        ("error", "districts/火星区_2022-03.csv", 2)
    ]
    assert "火星区" in findings[0][3]
