"""A correction that leaves raw/ gives the month back to the file it corrected.

An enterprise office sends 企业月报_2025-05.csv (three enterprises), then 企业月报_2025-05_更正.csv, the
same file with 甲's revenue changed from 1,200.5 to 1,250.5 万元: the correction supersedes the first
file. When the correction is deleted again, the first file, still under raw/, is what the office sent
for May: its three rows are loaded again (status `ingested`, the reason saying why) and May's revenue is
1,200.5 + 830 + 415.25 = 2,445.75 万元. Chains unwind one step at a time; a superseded file that left
raw/ itself is withdrawn in turn, and what it had corrected comes back in its place. The last test
runs the reviewer's reproduction through `planwatch run` (slow), with a linked kind folder and a file
of 6e31 万元 values (test_loader_linked_folder.py, test_loader_storable.py) in the same run.
"""

import csv
import io
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest

TITLE = "2025年5月规模以上电子信息制造业企业月报\n单位：万元\n"
HEADER = "统一社会信用代码,企业名称,区县,报告期,营业收入本年累计,研发费用本年累计,从业人员\n"
JIA, YI, BING = "915000007339743120", "91110000802085421K", "91500000747150426A"


def may(jia_revenue: str) -> str:
    """The May filings as the office keys them: 甲's revenue is the cell a correction changes."""
    return (
        TITLE
        + HEADER
        + f"{JIA},重庆甲电子有限公司,万州区,2025-05,{jia_revenue},36.2,210\n"
        + f"{YI},重庆乙科技有限公司,万州区,2025-05,830,12,95\n"
        + f"{BING},重庆丙智能有限公司,涪陵区,2025-05,415.25,8.5,60\n"
    )


APRIL = TITLE.replace("5月", "4月") + HEADER + f"{JIA},重庆甲电子有限公司,万州区,2025-04,960,30,208\n"
ORIGINAL, FIRST_FIX, SECOND_FIX = (
    "filings/企业月报_2025-05.csv",
    "filings/企业月报_2025-05_更正.csv",
    "filings/企业月报_2025-05_更正2.csv",
)


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as connection:
        yield connection


def write(raw: Path, rel: str, text: str) -> None:
    (raw / rel).parent.mkdir(parents=True, exist_ok=True)
    (raw / rel).write_text(text, encoding="utf-8")


def status(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    rows = con.execute("select source_file, status, superseded_by from raw.ingest_ledger").fetchall()
    return {source: (state, by) for source, state, by in rows}


def may_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """May's filing rows: which file they came from, how many, and their revenue total."""
    return con.execute(
        "select source_file, count(*), sum(revenue_ytd_wan) from raw.filings "
        "where period = date '2025-05-01' group by all order by all"
    ).fetchall()


def latest_may_line(con: duckdb.DuckDBPyConnection, uscc: str) -> tuple:
    """The file and revenue of an enterprise's May line that counts, in dbt's order (qualify_latest_row)."""
    return con.execute(
        """
        select source_file, revenue_ytd_wan from raw.filings
        where uscc = ? and period = date '2025-05-01'
        order by ingested_at desc, source_file desc, source_row desc
        limit 1
        """,
        [uscc],
    ).fetchone()


def run(con: duckdb.DuckDBPyConnection, tmp_path: Path, periods: set[str] | None = None):
    return ingest(con, tmp_path / "raw", tmp_path / "quarantine", "filings", periods)


def corrected_once(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    """April and May in, then May corrected: the original is superseded by the correction."""
    raw = tmp_path / "raw"
    write(raw, "filings/企业月报_2025-04.csv", APRIL)
    write(raw, ORIGINAL, may("1200.5"))
    assert run(con, tmp_path).ingested == ["filings/企业月报_2025-04.csv", ORIGINAL]
    write(raw, FIRST_FIX, may("1250.5"))
    assert run(con, tmp_path).superseded == [ORIGINAL]
    assert may_rows(con) == [(FIRST_FIX, 3, 2495.75)]
    return raw


@pytest.mark.parametrize("periods", [None, {"2025-05"}], ids=["run", "run --period 2025-05"])
def test_deleting_a_correction_brings_back_the_file_it_superseded(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, periods: set[str] | None
) -> None:
    raw = corrected_once(con, tmp_path)
    (raw / FIRST_FIX).unlink()
    first_seen = con.execute(
        "select first_seen_at from raw.ingest_ledger where source_file = ?", [ORIGINAL]
    ).fetchone()[0]

    report = run(con, tmp_path, periods)

    assert may_rows(con) == [(ORIGINAL, 3, 2445.75)]
    assert (report.withdrawn, report.restored, report.ingested) == ([FIRST_FIX], [ORIGINAL], [])
    assert status(con)[FIRST_FIX] == ("withdrawn", None)
    state, reason, changed, first_seen_then = con.execute(
        "select status, reason, status_changed_at, first_seen_at from raw.ingest_ledger where source_file = ?",
        [ORIGINAL],
    ).fetchone()
    assert state == "ingested"
    assert reason.startswith(f"back in place of {FIRST_FIX}, which had superseded it and is no longer in")
    # the row is the same file's: when it first arrived is kept, the status change is dated
    assert first_seen_then == first_seen and changed >= first_seen
    # April was never touched, and a further run finds nothing to do
    assert con.execute("select count(*) from raw.filings where period = date '2025-04-01'").fetchone() == (1,)
    again = run(con, tmp_path)
    assert (again.withdrawn, again.restored, again.ingested, again.rows_loaded) == ([], [], [], 0)
    assert may_rows(con) == [(ORIGINAL, 3, 2445.75)]


def test_the_corrected_bytes_under_another_name_never_undo_the_correction(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """The office sent May twice (企业月报_2025-05_副本.csv, the same bytes: a duplicate), then the
    correction; later it sends the original once more under a third name. Neither copy is loaded: their
    bytes were corrected, and loading them (as files newer than the correction) would put 1,200.5 back."""
    raw = tmp_path / "raw"
    write(raw, "filings/企业月报_2025-04.csv", APRIL)
    write(raw, ORIGINAL, may("1200.5"))
    write(raw, "filings/企业月报_2025-05_副本.csv", may("1200.5"))
    assert run(con, tmp_path).duplicates == ["filings/企业月报_2025-05_副本.csv"]
    write(raw, FIRST_FIX, may("1250.5"))
    assert run(con, tmp_path).superseded == [ORIGINAL]

    again = run(con, tmp_path)
    write(raw, "filings/再次报送_2025-05.csv", may("1200.5"))
    resent = run(con, tmp_path)

    assert (again.ingested, again.superseded, resent.ingested) == ([], [], [])
    assert resent.duplicates == ["filings/再次报送_2025-05.csv"]
    assert may_rows(con) == [(FIRST_FIX, 3, 2495.75)]
    assert status(con)[FIRST_FIX] == ("ingested", None)
    assert status(con)["filings/企业月报_2025-05_副本.csv"] == ("duplicate", None)


def test_putting_the_correction_back_supersedes_the_original_again(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    raw = corrected_once(con, tmp_path)
    (raw / FIRST_FIX).unlink()
    run(con, tmp_path)
    write(raw, FIRST_FIX, may("1250.5"))

    report = run(con, tmp_path)

    assert (report.ingested, report.superseded) == ([FIRST_FIX], [ORIGINAL])
    assert may_rows(con) == [(FIRST_FIX, 3, 2495.75)]
    assert status(con)[ORIGINAL] == ("superseded", FIRST_FIX)
    # the reason it had while back in ("back in place of …") no longer holds
    assert con.execute(
        "select reason from raw.ingest_ledger where source_file = ?", [ORIGINAL]
    ).fetchone() == (None,)


def test_a_chain_unwinds_one_correction_at_a_time(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """A ← 更正 ← 更正2: deleting 更正2 brings back 更正 (1,250.5), not the original; deleting 更正
    then brings back the original (1,200.5)."""
    raw = corrected_once(con, tmp_path)
    write(raw, SECOND_FIX, may("1260.5"))
    assert run(con, tmp_path).superseded == [FIRST_FIX]
    (raw / SECOND_FIX).unlink()

    report = run(con, tmp_path)

    assert may_rows(con) == [(FIRST_FIX, 3, 2495.75)]
    assert (report.withdrawn, report.restored) == ([SECOND_FIX], [FIRST_FIX])
    assert status(con)[ORIGINAL] == ("superseded", FIRST_FIX)

    (raw / FIRST_FIX).unlink()
    report = run(con, tmp_path)

    assert may_rows(con) == [(ORIGINAL, 3, 2445.75)]
    assert (report.withdrawn, report.restored) == ([FIRST_FIX], [ORIGINAL])


def test_a_superseded_file_that_left_raw_is_withdrawn_and_its_predecessor_comes_back(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """A ← 更正 ← 更正2, and 更正 was deleted while 更正2 stood: nothing changes then. When 更正2 goes
    too, 更正 cannot come back: it is withdrawn, and the original, still there, is May again. Putting
    更正 back later makes it the correction again."""
    raw = corrected_once(con, tmp_path)
    write(raw, SECOND_FIX, may("1260.5"))
    run(con, tmp_path)
    (raw / FIRST_FIX).unlink()
    quiet = run(con, tmp_path)
    assert (quiet.withdrawn, quiet.restored) == ([], [])
    assert may_rows(con) == [(SECOND_FIX, 3, 2505.75)]

    (raw / SECOND_FIX).unlink()
    report = run(con, tmp_path)

    assert may_rows(con) == [(ORIGINAL, 3, 2445.75)]
    assert (sorted(report.withdrawn), report.restored) == (sorted([SECOND_FIX, FIRST_FIX]), [ORIGINAL])
    assert status(con)[FIRST_FIX] == ("withdrawn", SECOND_FIX)

    write(raw, FIRST_FIX, may("1250.5"))
    back = run(con, tmp_path)
    assert (back.ingested, back.superseded) == ([FIRST_FIX], [ORIGINAL])
    assert may_rows(con) == [(FIRST_FIX, 3, 2495.75)]


def test_run_period_heals_a_month_lost_by_an_earlier_planwatch(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """A warehouse left by a planwatch without this fix: the correction withdrawn (its rows deleted,
    as _withdraw did), the original still `superseded`, May empty. A re-run of May loads it again."""
    raw = corrected_once(con, tmp_path)
    (raw / FIRST_FIX).unlink()
    con.execute("delete from raw.filings where source_file = ?", [FIRST_FIX])
    con.execute(
        "update raw.ingest_ledger set status = 'withdrawn', status_changed_at = now()::timestamp "
        "where source_file = ?",
        [FIRST_FIX],
    )
    assert may_rows(con) == []

    report = run(con, tmp_path, {"2025-05"})

    assert may_rows(con) == [(ORIGINAL, 3, 2445.75)]
    # brought back, then loaded again with the rest of May, as a re-run of a month does
    assert (report.withdrawn, report.restored, report.reloaded) == ([], [ORIGINAL], [ORIGINAL])
    assert status(con)[ORIGINAL] == ("ingested", FIRST_FIX)


def test_a_backfill_keeps_when_each_file_arrived(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """企业月报_2025-05-补报.csv (甲 alone, 1,230) arrived after the May file and counts for 甲. A re-run
    of May loads both files again with the time each arrived: stamped with the re-run's time, they
    tied, and the file name decided (the 补报's name sorts first), putting 1,200.5 back."""
    raw = tmp_path / "raw"
    write(raw, "filings/企业月报_2025-04.csv", APRIL)
    write(raw, ORIGINAL, may("1200.5"))
    run(con, tmp_path)
    time.sleep(1.1)  # ingested_at is kept to the second
    supplement = "filings/企业月报_2025-05-补报.csv"
    write(raw, supplement, TITLE + HEADER + f"{JIA},重庆甲电子有限公司,万州区,2025-05,1230,36.2,210\n")
    assert run(con, tmp_path).ingested == [supplement]
    before = con.execute("select source_file, ingested_at from raw.filings order by all").fetchall()

    assert sorted(run(con, tmp_path, {"2025-05"}).reloaded) == sorted([ORIGINAL, supplement])

    assert con.execute("select source_file, ingested_at from raw.filings order by all").fetchall() == before
    assert latest_may_line(con, JIA) == (supplement, 1230)


def test_a_backfill_leaves_the_files_of_other_months_for_the_next_refresh(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """April's file corrected in place, then a re-run of May: April's file is not "no longer under
    raw/" (it is there, with new content), so the re-run leaves it as it was; the next refresh takes
    the new content in."""
    raw = tmp_path / "raw"
    write(raw, "filings/企业月报_2025-04.csv", APRIL)
    write(raw, ORIGINAL, may("1200.5"))
    run(con, tmp_path)
    write(raw, "filings/企业月报_2025-04.csv", APRIL.replace(",960,", ",990,"))

    backfill = run(con, tmp_path, {"2025-05"})

    assert (backfill.withdrawn, backfill.ingested, backfill.reloaded) == ([], [], [ORIGINAL])
    assert status(con)["filings/企业月报_2025-04.csv"] == ("ingested", None)
    april = "select revenue_ytd_wan from raw.filings where period = date '2025-04-01'"
    assert con.execute(april).fetchall() == [(960,)]
    refresh = run(con, tmp_path)
    assert (refresh.withdrawn, refresh.ingested) == (
        ["filings/企业月报_2025-04.csv"],
        ["filings/企业月报_2025-04.csv"],
    )
    assert con.execute(april).fetchall() == [(990,)]


def test_rows_that_come_back_keep_their_arrival_so_a_later_supplement_still_wins(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """After the correction, the office sent 补报_2025-05.csv for 甲 alone (1,230 万元): it covers one
    enterprise of three, so it supersedes nothing and both files count, 甲's latest line being the
    补报's. When the correction is deleted, the original comes back with the time it first arrived,
    so 甲's latest line (dbt: latest ingested_at, then source_file, then row) is still the 补报's
    1,230, not the original's 1,200.5."""
    raw = corrected_once(con, tmp_path)
    time.sleep(1.1)  # ingested_at is kept to the second: the 补报 arrives a second later
    write(
        raw,
        "filings/补报_2025-05.csv",
        TITLE + HEADER + f"{JIA},重庆甲电子有限公司,万州区,2025-05,1230,36.2,210\n",
    )
    assert run(con, tmp_path).superseded == []
    time.sleep(1.1)
    (raw / FIRST_FIX).unlink()

    assert run(con, tmp_path).restored == [ORIGINAL]

    arrived = con.execute(
        "select first_seen_at from raw.ingest_ledger where source_file = ?", [ORIGINAL]
    ).fetchone()
    assert con.execute(
        "select distinct ingested_at from raw.filings where source_file = ?", [ORIGINAL]
    ).fetchall() == [arrived]
    assert latest_may_line(con, JIA) == ("filings/补报_2025-05.csv", 1230)


def test_a_file_put_back_after_it_left_takes_its_first_place_so_a_later_supplement_still_wins(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """The operator moves the May file out of raw/ (withdrawn) and back again, unchanged, after the
    office's 补报_2025-05.csv for 甲 (1,230) came in. The file is the one that arrived first: its rows
    take its first arrival, so 甲's line that counts stays the 补报's, not the original's 1,200.5
    (stamped anew, the file put back would have undone the 补报). The ledger says it came back now."""
    raw = tmp_path / "raw"
    write(raw, ORIGINAL, may("1200.5"))
    assert run(con, tmp_path).ingested == [ORIGINAL]
    (first,) = con.execute(
        "select first_seen_at from raw.ingest_ledger where source_file = ?", [ORIGINAL]
    ).fetchone()
    time.sleep(1.1)
    write(
        raw,
        "filings/补报_2025-05.csv",
        TITLE + HEADER + f"{JIA},重庆甲电子有限公司,万州区,2025-05,1230,36.2,210\n",
    )
    assert run(con, tmp_path).ingested == ["filings/补报_2025-05.csv"]
    time.sleep(1.1)
    aside = tmp_path / "aside.csv"
    (raw / ORIGINAL).rename(aside)
    assert run(con, tmp_path).withdrawn == [ORIGINAL]
    assert latest_may_line(con, JIA) == ("filings/补报_2025-05.csv", 1230)
    time.sleep(1.1)
    aside.rename(raw / ORIGINAL)

    assert run(con, tmp_path).ingested == [ORIGINAL]

    assert latest_may_line(con, JIA) == ("filings/补报_2025-05.csv", 1230)
    assert con.execute(
        "select distinct ingested_at from raw.filings where source_file = ?", [ORIGINAL]
    ).fetchall() == [(first,)]
    seen, changed = con.execute(
        "select first_seen_at, status_changed_at from raw.ingest_ledger where source_file = ? and status = 'ingested'",
        [ORIGINAL],
    ).fetchone()
    assert seen == first and changed > first


def test_a_correction_sent_again_under_the_first_name_then_deleted_leaves_the_correction(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """The office overwrites 企业月报_2025-05.csv with the corrected figures (1,255.5 for 甲): that new
    content supersedes 更正, which had superseded the file's first content: a loop of two paths. When
    the overwritten file is deleted, 更正 (still there) is May again; the first content, gone, is
    withdrawn."""
    raw = corrected_once(con, tmp_path)
    write(raw, ORIGINAL, may("1255.5"))
    assert run(con, tmp_path).superseded == [FIRST_FIX]
    assert may_rows(con) == [(ORIGINAL, 3, 2500.75)]
    (raw / ORIGINAL).unlink()

    report = run(con, tmp_path)

    assert may_rows(con) == [(FIRST_FIX, 3, 2495.75)]
    assert (sorted(report.withdrawn), report.restored) == ([ORIGINAL, ORIGINAL], [FIRST_FIX])
    assert con.execute(
        "select source_file, status, count(*) from raw.ingest_ledger group by all order by all"
    ).fetchall() == [
        ("filings/企业月报_2025-04.csv", "ingested", 1),
        (ORIGINAL, "withdrawn", 2),  # both contents it had
        (FIRST_FIX, "ingested", 1),
    ]


@pytest.mark.slow
def test_planwatch_run_gives_back_the_month_and_keeps_a_linked_kind_folder(
    tmp_path: Path, demo_first_run, planwatch
) -> None:
    """The reviewer's reproduction, on the shared demo warehouse (2022-01..2022-04), through `planwatch
    run`: 企业月报_2022-03_更正.csv (the March file with one revenue raised by 100 万元) is added, then
    deleted again. In the same second run raw/districts/ is moved away and linked back, and a 补报 with
    two revenues of 6e31 万元 arrives (each under DECIMAL(38, 6)'s 1e32, their sum over it). The run
    publishes marts equal to the first run's: March's filings are back, the district submissions are
    kept, and the 6e31 file is rejected at ingest instead of failing dbt."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)
    build = warehouse / "build.duckdb"
    clean = _published(warehouse)
    with duckdb.connect(str(build), read_only=True) as db:
        march = db.execute(
            "select count(*), sum(revenue_ytd_wan) from raw.filings where period = date '2022-03-01'"
        ).fetchone()
        codes = [
            row[0]
            for row in db.execute("select distinct uscc from raw.filings order by 1 limit 2").fetchall()
        ]
    original = raw / "filings" / "企业月报_2022-03.csv"
    rows = list(csv.reader(io.StringIO(original.read_bytes().decode("gb18030"))))
    assert rows[0][3] == "revenue_ytd"
    rows[1][3] = f"{float(rows[1][3].replace(',', '')) + 100:.2f}"  # one revenue raised by 100 万元
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    (raw / "filings" / "企业月报_2022-03_更正.csv").write_bytes(text.getvalue().encode("gb18030"))

    corrected = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert corrected.returncode == 0, corrected.stderr[-3000:]
    with duckdb.connect(str(build), read_only=True) as db:
        assert db.execute(
            "select status from raw.ingest_ledger where source_file = 'filings/企业月报_2022-03.csv'"
        ).fetchone() == ("superseded",)

    (raw / "filings" / "企业月报_2022-03_更正.csv").unlink()
    (raw / "districts").rename(tmp_path / "districts_elsewhere")
    (raw / "districts").symlink_to(tmp_path / "districts_elsewhere")
    write(
        raw,
        "filings/补报_2022-03.csv",
        "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\n"
        + "".join(f"{code},2022-03,6e31,1\n" for code in codes),
    )
    second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))

    assert second.returncode == 0, second.stderr[-3000:]
    assert "raw/districts/" in second.stderr and "replace the link with a real folder" in second.stderr
    with duckdb.connect(str(build), read_only=True) as db:
        assert (
            db.execute(
                "select count(*), sum(revenue_ytd_wan) from raw.filings where period = date '2022-03-01'"
            ).fetchone()
            == march
        )
        ledger = dict(db.execute("select source_file, status from raw.ingest_ledger").fetchall())
    assert ledger["filings/企业月报_2022-03.csv"] == "ingested"
    assert ledger["filings/企业月报_2022-03_更正.csv"] == "withdrawn"
    assert ledger["filings/补报_2022-03.csv"] == "rejected"
    assert ledger["districts"] == "refused"
    assert "withdrawn" not in {status for source, status in ledger.items() if source.startswith("districts/")}
    assert _published(warehouse) == clean


def _published(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as db:
        return {
            table: db.execute(f"select * from marts.{table} order by all").fetchall()
            for table in ("indicator_progress", "chain_monthly", "district_monthly")
        }
