"""`planwatch status`'s summary lines, from the ledger and snapshot tuples it reads."""

import datetime as dt
import logging
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.ingest.loader import ingest
from orchestration.publish import publish
from orchestration.settings import Settings
from orchestration.status import CITY_WIDE, _ledger, registry_in_force, status, summary
from orchestration.summary import summary_lines
from tests.builds import write_build_db
from tests.sheets import write_workbook

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
    lines = summary((None, None, None, None, None, [("ingested", 12)]), (LAST, [], findings, []))
    assert lines == [
        "Summary",
        "  files: 12 ingested",
        "  published 2026-11-03 09:30, periods 2022-01..2026-10, 0 figures revised, "
        "0 chain and district values revised",
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
    counts, rejected, _superseded, _refused, _withdrawn, totals, *_ = _ledger(build_db)
    assert [source for source, _ in rejected] == ["districts/涪陵_2024-10.csv"]
    assert totals == [("ingested", 1), ("rejected", 1)]
    assert ("districts", "2024-10", "ingested", 1) in counts
    # a file that could not be read counts under the month its name gives: `--period 2024-10` lists it
    counts, rejected, *_ = _ledger(build_db, "districts", "2024-10")
    assert [source for source, _ in rejected] == ["districts/涪陵_2024-10.csv"]
    assert ("districts", "2024-10", "rejected", 1) in counts
    assert _ledger(build_db, "districts", "2024-11")[1] == []


# An enterprise office's month as sent, then its 更正: 乙's figure corrected, 丙 left out (it had moved
# to another district's list; or the office sent only the line it corrected: only it knows which).
MONTH = (
    "统一社会信用代码,企业名称,报告期,营业收入本年累计,研发费用本年累计\n"
    "91500101MA5U7XQ21K,重庆甲电子有限公司,2025年2月,1520.5,30\n"
    "91500101MA5U8B3D4P,重庆乙科技有限公司,2025年2月,880,12.4\n"
    "91500102MA60C1XB7Q,重庆丙光电有限公司,2025年2月,310,—\n"
)
CORRECTED = (
    "统一社会信用代码,企业名称,报告期,营业收入本年累计,研发费用本年累计\n"
    "91500101MA5U7XQ21K,重庆甲电子有限公司,2025年2月,1520.5,30\n"
    "91500101MA5U8B3D4P,重庆乙科技有限公司,2025年2月,980,12.4\n"
)


def ingested_month(tmp_path: Path) -> tuple[Path, Path]:
    """raw/ with February's filings (MONTH) taken into a new build.duckdb; returns raw/ and warehouse/."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "filings").mkdir(parents=True)
    warehouse.mkdir()
    (raw / "filings" / "企业月报_2025-02.csv").write_text(MONTH, encoding="utf-8")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        ingest(con, raw, warehouse / "quarantine", "filings")
    return raw, warehouse


def test_a_correction_that_leaves_out_an_enterprise_is_said_while_both_files_count(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    raw, warehouse = ingested_month(tmp_path)
    (raw / "filings" / "企业月报_2025-02(更正).csv").write_text(CORRECTED, encoding="utf-8")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        report = ingest(con, raw, warehouse / "quarantine", "filings")
        assert (report.ingested, report.superseded) == (["filings/企业月报_2025-02(更正).csv"], [])
        assert con.execute("select count(*) from raw.filings").fetchone() == (5,)

    assert status(Settings(raw, warehouse), period="2025-02") == 0
    printed = capsys.readouterr().out
    assert (
        "Files that repeat part of an earlier file and leave out the rest (both count):\n"
        "  filings/企业月报_2025-02(更正).csv repeats 2 of the 3 enterprises of filings/企业月报_2025-02.csv "
        "(same months) and leaves out 1 (重庆丙光电有限公司 91500102MA60C1XB7Q): both files count, so the "
        "enterprises left out keep their rows from filings/企业月报_2025-02.csv and the others have the later "
        "file's; if "
        "filings/企业月报_2025-02(更正).csv is the whole new list, move filings/企业月报_2025-02.csv out of "
        "raw/ and run planwatch run again\n"
    ) in printed

    # the operator does as told: the original is withdrawn, the note goes, and 丙 no longer counts
    (raw / "filings" / "企业月报_2025-02.csv").unlink()
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        ingest(con, raw, warehouse / "quarantine", "filings")
        assert con.execute("select count(*) from raw.filings").fetchone() == (2,)
    assert status(Settings(raw, warehouse), period="2025-02") == 0
    assert "repeat part of an earlier file" not in capsys.readouterr().out


def test_the_run_summary_words_city_wide_findings_as_status_does(tmp_path: Path) -> None:
    """Both count the findings of no district (DQ12, an unplaced line's DQ15) in their totals; the run's
    summary said only "in 1 districts" for them."""
    from orchestration.summary import snapshot_facts

    snapshot = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.indicator_progress as select date '2025-03-01' as period")
        con.execute(
            "create table marts.dq_findings as select * from (values "
            "('500101', 'error'), ('500101', 'warn'), (null, 'warn')) as t(district_code, severity)"
        )
    assert snapshot_facts(snapshot) == ("2025-03..2025-03 (1 periods)", 1, 2, "1 districts and city-wide")
    lines = summary(
        (None, None, None, None, None, []),
        (LAST, [], [("500101", "万州区", 1, 1), (CITY_WIDE, "全市", 0, 1)], []),
    )
    assert lines[-1] == "  findings: 1 errors, 2 warnings in 1 districts and city-wide"


def test_files_taken_in_after_the_last_publish_are_said_to_be_not_shown_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run killed (or refused) after its ingest leaves files in the ledger that the snapshot does not
    show: status says so, instead of reading as if the last publish had them. A rejected file changes
    no figure and is not counted."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    write_build_db(warehouse / "build.duckdb", ledger_file="filings/x.csv")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:  # ingested a build's length before it
        con.execute("update raw.ingest_ledger set first_seen_at = first_seen_at - interval 2 minute")
    publish(warehouse / "build.duckdb", warehouse / "analytics.duckdb", "run-1")
    settings = Settings(tmp_path / "raw", warehouse)
    assert status(settings) == 0
    assert "after that publish" not in capsys.readouterr().out
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        for name, state in (("filings/y.csv", "ingested"), ("filings/z.csv", "rejected")):
            con.execute(
                "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, first_seen_at) "
                "values (?, ?, 'filings', ?, now()::timestamp + interval 1 minute)",
                [name, name, state],
            )
    assert status(settings) == 0
    assert (
        "  1 files came in, were replaced or left raw/ after that publish: the snapshot does not show them yet "
        "(the next `planwatch run` that publishes will)\n"
    ) in capsys.readouterr().out


def test_the_run_that_publishes_says_it_publishes_what_an_earlier_run_took_in(tmp_path: Path) -> None:
    """A run killed after its ingest took in y.csv; the next run finds nothing new, but its publish is
    the one that shows y.csv, and its summary says so rather than only 'none new, none changed'."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    write_build_db(warehouse / "build.duckdb", ledger_file="filings/x.csv")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("update raw.ingest_ledger set first_seen_at = first_seen_at - interval 5 minute")
    publish(warehouse / "build.duckdb", warehouse / "analytics.duckdb", "run-1")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute(
            "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, first_seen_at) "
            "values ('y', 'filings/y.csv', 'filings', 'ingested', now()::timestamp + interval 1 minute)"
        )
    settings = Settings(tmp_path / "raw", warehouse)
    since = dt.datetime.now() + dt.timedelta(minutes=2)
    published = summary_lines(settings, since, "published", published_now=True)
    assert published[1] == (
        "  files this run: none new, none changed; 1 files taken in by an earlier run that did not publish "
        "(refused, failed or killed): published now"
    )
    assert (
        summary_lines(settings, since, "nothing published")[1] == "  files this run: none new, none changed"
    )


def test_a_month_sent_again_under_the_next_month_s_name_is_said_at_ingest_and_in_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """万州 fills in February's table again and saves it as March: every line's 报告期 still says
    2025年2月. Its lines count for February (the latest line wins) and March has none from 万州; the
    office meant either, so the ingest log and status say which month it counted for."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "districts").mkdir(parents=True)
    warehouse.mkdir()
    header = "区县,报告期,企业个数,营业收入本年累计（万元）,研发费用本年累计（万元）\n"
    (raw / "districts" / "万州_2025-02.csv").write_text(
        header + "万州区,2025年2月,41,183250,3120\n", encoding="utf-8"
    )
    (raw / "districts" / "万州_2025-03.csv").write_text(
        header + "万州区,2025年2月,41,183950,3120\n", encoding="utf-8"
    )
    with duckdb.connect(str(warehouse / "build.duckdb")) as con, caplog.at_level(logging.WARNING):
        ingest(con, raw, warehouse / "quarantine", "districts", log=logging.getLogger("ingest"))
        periods = con.execute("select distinct period from raw.district_submissions").fetchall()
    assert periods == [(dt.date(2025, 2, 1),)]
    note = (
        "districts/万州_2025-03.csv: its name says 2025-03, but its lines are of 2025-02 (by its title or "
        "报告期 column), and count there, over what earlier files said of that month; if the name is right, "
        "correct the title or the period column and send the file again"
    )
    assert [record.getMessage() for record in caplog.records] == [note]
    assert status(Settings(raw, warehouse)) == 0
    assert (
        "Files whose name gives a month none of their lines is of (they count for their lines' month):\n"
        f"  {note}\n"
    ) in capsys.readouterr().out


def test_what_the_reader_left_unread_is_said_in_status_while_the_file_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """涪陵 sends its October table with the instructions sheet it was given (填报说明, an example line
    on it) and one line hidden, not deleted. The scheduled run's log is read by nobody: status, which
    the commission reads, says both while the file counts, and stops when the file has left raw/."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    warehouse.mkdir()
    path = write_workbook(
        raw / "districts" / "涪陵_2025-10.xlsx",
        {
            "填报说明": [
                ["区县", "报告期", "企业个数", "营业收入本年累计（万元）", "研发费用本年累计（万元）"],
                ["示例：XX区", "2025年10月", 12, 45000, 800],
            ],
            "10月": [
                ["区县", "报告期", "企业个数", "营业收入本年累计（万元）", "研发费用本年累计（万元）"],
                ["涪陵区", "2025年10月", 36, 201540, 3320],
                ["涪陵区", "2025年9月", 35, 180200, 2980],
            ],
        },
    )
    workbook = openpyxl.load_workbook(path)
    workbook["10月"].row_dimensions[3].hidden = True
    workbook.save(path)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con, caplog.at_level(logging.WARNING):
        ingest(con, raw, warehouse / "quarantine", "districts", log=logging.getLogger("ingest"))
    notes = [
        "districts/涪陵_2025-10.xlsx: sheet 填报说明 (instructions for filling in the form) not read (its "
        "name says it is not the data: dbt_project/seeds/sheet_name_markers.csv; rename the sheet if it is)",
        "districts/涪陵_2025-10.xlsx: rows hidden in Excel were read as data (sheet and row: 10月 3); "
        "delete them from the file if they are not this table's data",
    ]
    assert [record.getMessage() for record in caplog.records] == notes
    assert status(Settings(raw, warehouse)) == 0
    heading = "Files that count with something left unread or read with a doubt (the reader's notes):\n"
    assert heading + "".join(f"  {note}\n" for note in notes) in capsys.readouterr().out
    # another district's period asked for: not this file's notes
    assert status(Settings(raw, warehouse), kind="filings") == 0
    assert heading not in capsys.readouterr().out

    # a file taken in before the ledger kept notes has none, until a backfill of its month reads it again
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("update raw.ingest_ledger set reader_notes = null")
        ingest(con, raw, warehouse / "quarantine", "districts", {"2025-10"})
    assert status(Settings(raw, warehouse)) == 0
    assert heading + "".join(f"  {note}\n" for note in notes) in capsys.readouterr().out

    path.unlink()
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        ingest(con, raw, warehouse / "quarantine", "districts")
    assert status(Settings(raw, warehouse)) == 0
    assert heading not in capsys.readouterr().out


def test_a_ledger_without_reader_notes_still_lists_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A warehouse an older planwatch wrote, before the ledger kept the reader's notes: status lists
    its files as before (the next run adds the column), rather than leaving the Files section out."""
    raw, warehouse = ingested_month(tmp_path)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("alter table raw.ingest_ledger drop column reader_notes")
    assert status(Settings(raw, warehouse)) == 0
    printed = capsys.readouterr().out
    assert "written by an older planwatch" not in printed
    assert "  files: 1 ingested" in printed


def test_a_csv_whose_last_line_has_no_line_break_is_said_in_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sensor took February's CSV while it was still being copied, cut inside the last figure of its
    last line: the line reads whole, so only the missing line break tells. Status says which figure to
    check while the file counts."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "filings").mkdir(parents=True)
    warehouse.mkdir()
    (raw / "filings" / "企业月报_2025-02.csv").write_text(MONTH[: MONTH.rindex(",")] + ",2", encoding="utf-8")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        ingest(con, raw, warehouse / "quarantine", "filings")
    assert status(Settings(raw, warehouse)) == 0
    assert (
        "  filings/企业月报_2025-02.csv: its last line (row 4) has no line break after it, as a file cut short "
        "in copying ends; it was read, its last field as '2': check that figure against the sender's file, "
        "and if it is short, copy the whole file again\n"
    ) in capsys.readouterr().out


def test_the_ledger_keeps_the_units_money_columns_were_read_in(tmp_path: Path) -> None:
    """A district table in 千元: its figures are stored in 万元, and the ledger says the file's unit, so
    that the feedback workbooks can tell the officer why 123,456 万元 is 1,234,560 in the file. A backfill
    reading the file again writes it again (a file taken in before the ledger kept units)."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    (raw / "districts").mkdir(parents=True)
    warehouse.mkdir()
    (raw / "districts" / "区县报送_2024-10.csv").write_text(
        "区县,报告期,企业个数,营业收入本年累计（千元）,研发费用本年累计（千元）\n万州,2024年10月,12,1234560,24000\n",
        encoding="utf-8",
    )
    units = "营业收入本年累计（千元）：千元；研发费用本年累计（千元）：千元"
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        ingest(con, raw, warehouse / "quarantine", "districts")
        assert con.execute("select money_units from raw.ingest_ledger").fetchall() == [(units,)]
        con.execute("update raw.ingest_ledger set money_units = null")
        ingest(con, raw, warehouse / "quarantine", "districts", {"2024-10"})
        assert con.execute("select money_units from raw.ingest_ledger").fetchall() == [(units,)]
