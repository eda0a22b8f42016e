"""The ledger: same bytes once, corrected files supersede, unreadable files are kept and listed."""

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.entities import covers_every_entity, note_partial_repeat
from orchestration.ingest.files import arrival_key, safe_file_name
from orchestration.ingest.kinds import KINDS
from orchestration.ingest.ledger import LedgerEntry, ensure_schema
from orchestration.ingest.loader import Action, ingest, plan_file

HEADER = "区县,报告期,企业个数,营业收入本年累计,研发费用本年累计\n"


def drop(raw: Path, rel: str, text: str) -> Path:
    path = raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as connection:
        yield connection


def ledger(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select source_file, status, periods, districts, rows_kept, superseded_by from raw.ingest_ledger order by source_file"
    ).fetchall()


def test_duplicate_bytes_are_ingested_once(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    raw = tmp_path / "raw"
    first = drop(raw, "districts/万州_2024-10.csv", HEADER + "万州区,2024-10,3,100.5,2\n")
    shutil.copy(first, raw / "districts" / "copy_of_万州.csv")
    report = ingest(con, raw, tmp_path / "q", "districts")
    assert (report.ingested, report.duplicates) == (
        ["districts/copy_of_万州.csv"],
        ["districts/万州_2024-10.csv"],
    )
    assert con.execute("select count(*), sum(revenue_ytd_wan) from raw.district_submissions").fetchone() == (
        1,
        100.5,
    )
    again = ingest(con, raw, tmp_path / "q", "districts")
    assert (again.ingested, again.duplicates, again.rows_loaded) == ([], [], 0)
    assert [row[1] for row in ledger(con)] == ["ingested", "duplicate"]


def test_corrected_file_supersedes_and_both_stay_in_ledger(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    raw = tmp_path / "raw"
    drop(raw, "districts/万州_2024-10.csv", HEADER + "万州区,2024-10,3,100.5,2\n")
    drop(raw, "districts/涪陵_2024-10.csv", HEADER + "涪陵区,2024-10,1,7,0\n")
    ingest(con, raw, tmp_path / "q", "districts")
    drop(raw, "districts/万州_2024-10_更正.csv", HEADER + "万州区,2024-10,3,110.5,2\n")
    report = ingest(con, raw, tmp_path / "q", "districts")
    assert report.superseded == ["districts/万州_2024-10.csv"]
    assert con.execute(
        "select district_code, revenue_ytd_wan, source_file from raw.district_submissions order by 1"
    ).fetchall() == [
        ("500101", 110.5, "districts/万州_2024-10_更正.csv"),
        ("500102", 7, "districts/涪陵_2024-10.csv"),
    ]
    assert ledger(con) == [
        (
            "districts/万州_2024-10.csv",
            "superseded",
            "2024-10",
            "500101",
            1,
            "districts/万州_2024-10_更正.csv",
        ),
        ("districts/万州_2024-10_更正.csv", "ingested", "2024-10", "500101", 1, None),
        ("districts/涪陵_2024-10.csv", "ingested", "2024-10", "500102", 1, None),
    ]


def test_unreadable_file_is_quarantined_with_reason(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    raw = tmp_path / "raw"
    drop(raw, "districts/bad.csv", "这不是表格\n只是文字\n")
    drop(raw, "districts/good_2024-10.csv", HEADER + "万州区,2024-10,3,100.5,2\n")
    report = ingest(con, raw, tmp_path / "quarantine", "districts")
    assert report.ingested == ["districts/good_2024-10.csv"]
    assert list(report.rejected) == ["districts/bad.csv"]
    assert (
        "no header with the 区县报送 columns 区县、报告期、企业个数、营业收入本年累计、研发费用本年累计"
        in report.rejected["districts/bad.csv"]
    )
    kept = sorted(p.name for p in (tmp_path / "quarantine" / "districts").iterdir())
    assert len(kept) == 2 and kept[0].endswith("_bad.csv") and kept[1].endswith("_bad.csv.reason.txt")
    assert (raw / "districts" / "bad.csv").exists()  # the original is never touched


def test_partition_rerun_reloads_without_doubling(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    raw = tmp_path / "raw"
    drop(raw, "districts/万州_2024-10.csv", HEADER + "万州区,2024-10,3,100.5,2\n")
    drop(raw, "districts/万州_2024-11.csv", HEADER + "万州区,2024-11,3,120.5,2\n")
    first = ingest(con, raw, tmp_path / "q", "districts", periods={"2024-10"})
    assert first.ingested == ["districts/万州_2024-10.csv"]  # November waits for its own partition
    rerun = ingest(con, raw, tmp_path / "q", "districts", periods={"2024-10", "2024-11"})
    assert (rerun.reloaded, rerun.ingested) == (
        ["districts/万州_2024-10.csv"],
        ["districts/万州_2024-11.csv"],
    )
    assert con.execute("select count(*), sum(revenue_ytd_wan) from raw.district_submissions").fetchone() == (
        2,
        221,
    )


FILINGS = "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\n"


def test_two_batches_of_filings_for_one_month_are_both_kept(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """Batches cover different enterprises, so neither replaces the other; a resubmission of the
    first batch (same enterprises, corrected figure) replaces only that batch."""
    raw = tmp_path / "raw"
    drop(
        raw,
        "filings/batch1_2024-10.csv",
        FILINGS + "915000007339743120,2024-10,100,1\n91110000802085421K,2024-10,50,1\n",
    )
    drop(raw, "filings/batch2_2024-10.csv", FILINGS + "91500000747150426A,2024-10,70,1\n")
    assert ingest(con, raw, tmp_path / "q", "filings").superseded == []
    drop(
        raw,
        "filings/batch1_2024-10_v2.csv",
        FILINGS + "915000007339743120,2024-10,110,1\n91110000802085421K,2024-10,50,1\n",
    )
    report = ingest(con, raw, tmp_path / "q", "filings")
    assert report.superseded == ["filings/batch1_2024-10.csv"]
    assert con.execute("select sum(revenue_ytd_wan), count(*) from raw.filings").fetchone() == (230, 3)


def test_an_original_and_its_corrections_sent_together_are_taken_in_that_order(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """A backlog arrives at once: February with its full 更正 (named so that it sorts before the
    original: "(" and " " come before "."), March with a one-line 更正. The corrections count, and
    the ledger says the original was superseded, not the correction."""
    raw = tmp_path / "raw"
    jia, yi = "915000007339743120,2025-02,100,1\n", "91110000802085421K,2025-02,100,1\n"
    drop(raw, "filings/企业月报_2025-02.csv", FILINGS + jia + yi)
    drop(raw, "filings/企业月报_2025-02(更正).csv", FILINGS + jia + yi.replace(",100,", ",300,"))
    drop(raw, "filings/企业月报_2025-03.csv", FILINGS + (jia + yi).replace("2025-02", "2025-03"))
    drop(raw, "filings/企业月报_2025-03 更正.csv", FILINGS + "91110000802085421K,2025-03,450,1\n")
    report = ingest(con, raw, tmp_path / "q", "filings")
    assert report.superseded == ["filings/企业月报_2025-02.csv"]
    # "the latest row wins" as dbt ranks rows (macros/latest_row.sql)
    latest = con.execute(
        """
        select period::varchar, uscc, revenue_ytd_wan from (
            select *, row_number() over (
                partition by uscc, period order by ingested_at desc, source_file desc, source_row desc
            ) as rank
            from raw.filings
        ) where rank = 1 order by all
        """
    ).fetchall()
    assert latest == [
        ("2025-02-01", "91110000802085421K", 300),
        ("2025-02-01", "915000007339743120", 100),
        ("2025-03-01", "91110000802085421K", 450),
        ("2025-03-01", "915000007339743120", 100),
    ]


def test_a_file_changed_in_place_is_not_called_gone(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """A file completed or edited under the same name: its old content is withdrawn, saying so, and
    the new content is ingested; nothing says the file left raw/."""
    raw = tmp_path / "raw"
    drop(raw, "filings/企业月报_2023-03.csv", FILINGS + "915000007339743120,2023-03,100,1\n")
    ingest(con, raw, tmp_path / "q", "filings")
    drop(raw, "filings/企业月报_2023-03.csv", FILINGS + "915000007339743120,2023-03,120,1\n")
    report = ingest(con, raw, tmp_path / "q", "filings")
    assert (report.withdrawn, report.ingested) == (
        ["filings/企业月报_2023-03.csv"],
        ["filings/企业月报_2023-03.csv"],
    )
    reasons = con.execute("select status, reason from raw.ingest_ledger order by status").fetchall()
    assert reasons[0] == ("ingested", None)
    assert reasons[1][0] == "withdrawn"
    assert reasons[1][1].startswith(
        "filings/企业月报_2023-03.csv was replaced in place by other content (noticed "
    )


@pytest.mark.parametrize(
    ("rel", "after"),
    [
        ("filings/企业月报_2025-02(更正).csv", "filings/企业月报_2025-02.csv"),
        ("filings/企业月报_2025-02 更正.csv", "filings/企业月报_2025-02.csv"),
        ("filings/企业月报_2025-02-更正.xlsx", "filings/企业月报_2025-02.xlsx"),
        ("filings/corrected_2025-02.csv", "filings/filings_2025-02.csv"),
        ("filings/企业月报_2025-02_更正2.csv", "filings/企业月报_2025-02_更正.csv"),
        ("filings/企业月报_2025-02_v2.csv", "filings/企业月报_2025-02.csv"),
        ("filings/b_2025-02.csv", "filings/a_2025-02.csv"),
    ],
)
def test_arrival_order(rel: str, after: str) -> None:
    assert arrival_key(rel) > arrival_key(after)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("万州 (1).csv", "万州 (1).csv"),
        ("bad\nname\t.csv", "bad_name_.csv"),
        ('a:b*c?"d"<e>|f.xlsx', "a_b_c__d__e__f.xlsx"),
        ("..", "unnamed"),
        ("x" * 300 + ".csv", "x" * 116 + ".csv"),
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_file_with_odd_characters_in_its_name_is_quarantined(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    raw = tmp_path / "raw"
    drop(raw, "districts/坏\n文件:1.csv", "no header here\n")
    report = ingest(con, raw, tmp_path / "quarantine", "districts")
    assert list(report.rejected) == ["districts/坏\n文件:1.csv"]
    kept = sorted(p.name for p in (tmp_path / "quarantine" / "districts").iterdir())
    assert [name.split("_", 1)[1] for name in kept] == ["坏_文件_1.csv", "坏_文件_1.csv.reason.txt"]


REGISTRY = "统一社会信用代码,企业名称,区县,行业代码\n"


def test_registry_of_a_new_year_keeps_the_old_year(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """A 2024 registry that lists every enterprise of the 2022 one is another year's list, not a
    correction: both stay. A re-sent 2022 registry (a subset of the first rows) still replaces it."""
    raw = tmp_path / "raw"
    rows = "915000007339743120,甲,万州区,3911\n91110000802085421K,乙,万州区,3974\n"
    drop(raw, "registry/企业名录_2022.csv", REGISTRY + rows)
    drop(raw, "registry/企业名录_2024.csv", REGISTRY + rows + "91500000747150426A,丙,万州区,3973\n")
    assert ingest(con, raw, tmp_path / "q", "registry").superseded == []
    assert con.execute(
        "select registry_year, count(*) from raw.registry group by all order by 1"
    ).fetchall() == [(2022, 2), (2024, 3)]
    drop(raw, "registry/企业名录_2022_更正.csv", REGISTRY + rows.replace("甲", "甲电脑"))
    assert ingest(con, raw, tmp_path / "q", "registry").superseded == ["registry/企业名录_2022.csv"]
    assert [row[:3] for row in ledger(con)] == [
        ("registry/企业名录_2022.csv", "superseded", "2022"),
        ("registry/企业名录_2022_更正.csv", "ingested", "2022"),
        ("registry/企业名录_2024.csv", "ingested", "2024"),
    ]


def test_registry_list_that_corrects_a_code_replaces_the_list_that_had_it(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """The 2024 list had 巴南甲's code with a wrong check character; the district sends the list
    again with the code corrected. The corrected list replaces the first, so the misspelt code leaves
    the registry (it would stay an enterprise of its own, and a DQ09 finding, beside the right one)."""
    raw = tmp_path / "raw"
    rows = "91500000747150426A,巴南甲电子公司,巴南区,3911\n91110000802085421K,巴南乙电子公司,巴南区,3974\n"
    drop(raw, "registry/巴南_企业名录_2024.csv", REGISTRY + rows)
    ingest(con, raw, tmp_path / "q", "registry")
    drop(raw, "registry/巴南_企业名录_2024_更正.csv", REGISTRY + rows.replace("426A", "4265"))
    report = ingest(con, raw, tmp_path / "q", "registry")
    assert report.superseded == ["registry/巴南_企业名录_2024.csv"]
    assert con.execute("select uscc from raw.registry order by 1").fetchall() == [
        ("91110000802085421K",),
        ("915000007471504265",),
    ]


@pytest.mark.parametrize(
    ("earlier", "later", "covered"),
    [
        ({"A": "甲"}, {"A": "甲"}, True),  # the same list again
        ({"A": "甲"}, {"A": "甲电脑"}, True),  # a name corrected
        ({"A": "甲", "B": "乙"}, {"A": "甲", "B2": "乙"}, True),  # a code corrected
        ({"A": "甲", "B": "乙"}, {"A": "甲", "B": "乙", "C": "丙"}, True),  # an enterprise added
        ({"A": "甲", "B": "乙"}, {"A": "甲"}, False),  # an enterprise left out
        ({"A": "甲", "B": "乙"}, {"A": "甲", "C": "丙"}, False),  # another enterprise in its place
        ({"A": "甲"}, {"C": "丙"}, False),  # a second batch of other enterprises
        ({"A": None}, {"A2": None}, False),  # no names: a changed code is another enterprise
        ({"A": "甲", "B": "乙"}, {"A": "乙"}, False),  # a name that stays with its own code
        ({"500101": None}, {"500101": None, "500102": None}, True),  # districts: no names
    ],
)
def test_covers_every_entity(earlier: dict, later: dict, covered: bool) -> None:
    assert covers_every_entity(earlier, later) is covered


@pytest.mark.parametrize(
    ("kind", "earlier", "later", "said"),
    [
        ("filings", {"A": "甲", "B": "乙"}, {"A": "甲", "B": "乙"}, None),  # covers it: supersedes instead
        ("filings", {"A": "甲"}, {"C": "丙"}, None),  # another batch
        ("filings", {"A": "甲", "B": "乙"}, {"A": "甲"}, "repeats 1 of the 2 enterprises of e.csv (same months) "
         "and leaves out 1 (乙 B): both files count, so the enterprises left out keep their rows from e.csv and "
         "the others have the later file's"),
        ("filings", {"A": "甲", "B": "乙", "C": "丙", "D": "丁", "E": "戊"}, {"E": "戊"},
         "repeats 1 of the 5 enterprises of e.csv (same months) and leaves out 4 (甲 A、乙 B、丙 C…)"),
        ("filings", {"A": "甲", "B": "乙"}, {"A": "甲", "B2": "乙"}, None),  # a code corrected, by name
        ("districts", {"500101": None, "500102": None}, {"500101": None},
         "repeats 1 of the 2 districts of e.csv (same months) and leaves out 1 (500102)"),
    ],
)  # fmt: skip
def test_note_partial_repeat(kind: str, earlier: dict, later: dict, said: str | None) -> None:
    note = note_partial_repeat(KINDS[kind], "e.csv", "l.csv", earlier, later)
    if said is None:
        assert note is None
    else:
        assert note.startswith(f"l.csv {said}")
        assert note.endswith(
            "if l.csv is the whole new list, move e.csv out of raw/ and run planwatch run again"
        )


def _entry(status: str, periods: str = "") -> LedgerEntry:
    return LedgerEntry(
        "sha", "filings/f.xlsx", status, frozenset(filter(None, periods.split(","))), frozenset()
    )


def _not_asked() -> frozenset[str]:
    raise AssertionError("a refresh decides without reading the file's months")


@pytest.mark.parametrize(
    ("entry", "original", "periods", "covers", "expected"),
    [
        # a refresh (no partition): new files in, the rest as the ledger left them
        (None, None, None, _not_asked, (Action.INGEST, None)),
        (None, "filings/a.xlsx", None, _not_asked, (Action.DUPLICATE, "filings/a.xlsx")),
        (_entry("ingested", "2024-03"), "filings/f.xlsx", None, _not_asked, (Action.SKIP, None)),
        (_entry("rejected"), None, None, _not_asked, (Action.SKIP, None)),
        (_entry("superseded", "2024-03"), None, None, _not_asked, (Action.SKIP, None)),
        (_entry("refused"), None, None, _not_asked, (Action.SKIP, None)),
        # a file back after it was withdrawn is new again
        (_entry("withdrawn", "2024-03"), None, None, _not_asked, (Action.INGEST, None)),
        # a duplicate whose original left carries the rows now; one whose original is in stays
        (_entry("duplicate"), None, None, _not_asked, (Action.INGEST, None)),
        (_entry("duplicate"), "filings/a.xlsx", None, _not_asked, (Action.SKIP, None)),
        # a partition re-run (backfill): its months' ingested files again, other months' left alone
        (_entry("ingested", "2024-03,2024-04"), "filings/f.xlsx", {"2024-04"}, _not_asked, (Action.RELOAD, None)),
        (_entry("ingested", "2024-03"), "filings/f.xlsx", {"2024-05"}, _not_asked, (Action.SKIP, None)),
        (_entry("rejected"), None, {"2024-03"}, _not_asked, (Action.SKIP, None)),
        (None, None, {"2024-03"}, lambda: frozenset({"2024-03"}), (Action.INGEST, None)),
        (None, None, {"2024-03"}, lambda: frozenset({"2024-02"}), (Action.SKIP, None)),
        (None, "filings/a.xlsx", {"2024-03"}, lambda: frozenset({"2024-03"}), (Action.DUPLICATE, "filings/a.xlsx")),
    ],
)  # fmt: skip
def test_plan_file(entry, original, periods, covers, expected) -> None:
    assert plan_file(entry, original, periods, covers) == expected


def test_the_ledger_keeps_the_month_of_a_file_name_and_fills_it_in_for_an_older_ledger(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """The build files a line dated 2042-03 under the month of its file's name (int_file_months): the
    ingest reads the name once and the ledger keeps it, also for files ingested by an older release."""
    raw = tmp_path / "raw"
    drop(raw, "districts/城口县_2024年3月.csv", HEADER + "城口县,2042年3月,1,1000,10\n")
    drop(raw, "districts/区县报送.csv", HEADER + "万州区,2024-03,3,100.5,2\n")
    ingest(con, raw, tmp_path / "q", "districts")
    named = "select source_file, named_period from raw.ingest_ledger order by 1"
    expected = [("districts/区县报送.csv", None), ("districts/城口县_2024年3月.csv", "2024-03")]
    assert con.execute(named).fetchall() == expected
    con.execute("alter table raw.ingest_ledger drop column named_period")
    ensure_schema(con)
    assert con.execute(named).fetchall() == expected
