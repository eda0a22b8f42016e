"""A failed run leaves the last good snapshot exactly as it was: a broken mart invariant stops the
run with exit status 1, and the publish step refuses a snapshot that would expose credit codes."""

import contextlib
import hashlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import PublishRefused, publish
from tests.builds import fetch, write_build_db


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_unknown_district_and_huge_value_publish_but_a_broken_invariant_keeps_snapshot(
    tmp_path: Path, planwatch, demo_first_run
) -> None:
    """(a) An enterprise registered in 火星区 (no reporting unit) that files 1e20 万元 is two findings,
    not a failure: the run publishes (exit 0) with a DQ15 finding naming the registry file and row and a
    DQ07 finding whose 1e20 is written with thousands separators in the build (the feedback workbooks'
    text) and withheld from the snapshot (one enterprise's figure).
    (b) A blocking invariant that raw input can no longer break still stops the run: a raw.filings row
    with a NULL credit code (as if it bypassed the reader) fails not_null on stg_raw__filings.uscc,
    the run exits 1 and the snapshot stays byte for byte."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)  # 30 enterprises, 4 months, one run
    (raw / "registry" / "补充名录.csv").write_text(
        "统一社会信用代码,企业名称,区县,行业代码\n915000007339743120,重庆火星电子有限公司,火星区,3911\n",
        encoding="utf-8",
    )
    (raw / "filings" / "补报_2022-04.csv").write_text(
        "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\n915000007339743120,2022-04,100000000000000000000,50\n",
        encoding="utf-8",
    )
    second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert second.returncode == 0, second.stderr[-3000:]
    snapshot = warehouse / "analytics.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        dq15 = con.execute(
            "select district_code, actual, source_file, source_row from marts.dq_findings where rule_id = 'DQ15'"
        ).fetchall()
        dq07 = con.execute(
            "select finding_id, actual, figures_withheld from marts.dq_findings "
            "where rule_id = 'DQ07' and source_file = 'filings/补报_2022-04.csv'"
        ).fetchall()
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        built = con.execute(
            "select actual from marts.dq_findings where finding_id = ?", [dq07[0][0]]
        ).fetchall()
    assert dq15 == [(None, "“火星区”", "registry/补充名录.csv", 2)]
    assert [row[1:] for row in dq07] == [(None, True)]
    assert built == [("100,000,000,000,000,000,000",)]

    before = sha256(snapshot)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute(
            "insert into raw.filings select * replace (null as uscc, now()::timestamp as ingested_at) "
            "from raw.filings limit 1"
        )
    third = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert third.returncode == 1, third.stderr[-3000:]
    assert "not_null_stg_raw__filings_uscc" in third.stderr
    assert f"nothing published; {snapshot} is unchanged" in third.stderr
    assert sha256(snapshot) == before
    assert not list(warehouse.glob(".analytics.duckdb.*"))  # no temporary file left behind


def _arrives(build: Path, source_file: str, revenue: float) -> None:
    """A filings file for 2024-10 arrives and the revenue of 2024-10 becomes `revenue`."""
    with duckdb.connect(str(build)) as con:
        con.execute("update marts.indicator_progress set actual_value = ?", [revenue])
        con.execute(
            "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, periods, first_seen_at) "
            "values (?, ?, 'filings', 'ingested', '2024-10', now()::timestamp)",
            [source_file, source_file],
        )


def test_publish_refuses_credit_codes_and_keeps_the_old_snapshot(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    kept = tmp_path / "kept.duckdb"
    shutil.copy(snapshot, kept)
    leaky = tmp_path / "leaky.duckdb"
    write_build_db(leaky, subject="915000007339743120")
    with pytest.raises(PublishRefused, match=r"credit codes found in .*dq_findings\.subject \(1 values\)"):
        publish(leaky, snapshot, "run-2")
    assert sha256(snapshot) == sha256(kept)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("select run_id from marts.publish_log").fetchall() == [("run-1",)]


def test_publish_log_grows_by_one_row_per_publish(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    publish(build, snapshot, "run-2")
    with duckdb.connect(str(snapshot), read_only=True) as con:
        rows = con.execute(
            "select run_id, findings_warn, last_period from marts.publish_log order by published_at, run_id"
        ).fetchall()
    assert [(run, warns, str(last)) for run, warns, last in rows] == [
        ("run-1", 1, "2024-10-01"),
        ("run-2", 1, "2024-10-01"),
    ]


@contextlib.contextmanager
def _held_read_write(snapshot: Path, tmp_path: Path) -> Iterator[None]:
    """An analyst's session that opened the snapshot without read-only, for as long as the block runs
    (published read-only, the file was made writable first: root needs not)."""
    snapshot.chmod(0o644)
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, pathlib, sys, time; con = duckdb.connect(sys.argv[1]); "
         "pathlib.Path(sys.argv[2]).touch(); time.sleep(600)", str(snapshot), str(ready)],
    )  # fmt: skip
    try:
        for _ in range(1200):  # a minute: a loaded machine may take long to import duckdb
            if ready.exists() or holder.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), "the analyst's session did not open the snapshot"
        yield
        assert holder.poll() is None, "the analyst's session ended before the block did"
    finally:
        holder.kill()
        holder.wait()
        ready.unlink(missing_ok=True)


def test_publish_succeeds_while_an_analyst_holds_the_snapshot_read_write(tmp_path: Path) -> None:
    """An analyst who opened analytics.duckdb without read-only holds a write lock on it: the
    publish neither waits for nor needs that file, and the log keeps every earlier publish."""
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    with _held_read_write(snapshot, tmp_path):
        publish(build, snapshot, "run-2")
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute(
            "select run_id from marts.publish_log order by published_at, run_id"
        ).fetchall() == [
            ("run-1",),
            ("run-2",),
        ]


def test_a_lost_build_database_and_a_locked_snapshot_refuse_rather_than_restart_history(
    tmp_path: Path,
) -> None:
    """build.duckdb deleted (its copy of the history with it) while an analyst holds the snapshot
    read-write: no readable place records the earlier publishes, so the publish is refused and the
    snapshot kept; once the connection is closed, the history carries on from the snapshot."""
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    kept = sha256(snapshot)
    build.unlink()
    write_build_db(build, subject="营业收入本年累计")
    refusal = r"cannot be read .*close it .*move analytics\.duckdb aside"
    with _held_read_write(snapshot, tmp_path), pytest.raises(PublishRefused, match=refusal):
        publish(build, snapshot, "run-2")
    assert sha256(snapshot) == kept
    publish(build, snapshot, "run-3")
    assert [run for (run,) in _history(snapshot)[0]] == ["run-1", "run-3"]


def test_a_damaged_snapshot_without_a_build_record_is_not_replaced_by_a_new_history(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    snapshot.write_bytes(b"not a database, but somebody's published history")
    with pytest.raises(PublishRefused, match=r"analytics\.duckdb cannot be read"):
        publish(build, snapshot, "run-1")
    assert snapshot.read_bytes() == b"not a database, but somebody's published history"


def _history(snapshot: Path) -> tuple[list, list, list]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return (
            con.execute("select run_id from marts.publish_log order by published_at").fetchall(),
            con.execute(
                "select run_id, actual_value from marts.indicator_vintages order by published_at"
            ).fetchall(),
            con.execute(
                "select run_id, indicator_code, period::varchar, revision_kind, old_value, new_value, caused_by "
                "from marts.indicator_revisions order by published_at"
            ).fetchall(),
        )


def test_a_publish_keeps_its_figures_and_lists_what_the_next_one_revised(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    _arrives(build, "filings/万州_2024-10_更正.csv", 110)
    assert publish(build, snapshot, "run-2").revisions == 1
    publish(build, snapshot, "run-3")  # nothing changed: nothing revised
    logs, vintages, revisions = _history(snapshot)
    assert logs == [("run-1",), ("run-2",), ("run-3",)]
    assert vintages == [("run-1", 100.0), ("run-2", 110.0), ("run-3", 110.0)]
    assert revisions == [
        ("run-2", "revenue", "2024-10-01", "changed", 100.0, 110.0, "filings/万州_2024-10_更正.csv (arrived)")
    ]


def test_a_publish_lists_the_chain_and_district_values_it_revised(tmp_path: Path) -> None:
    """A correction for 万州's October raises the chain's revenue from 100 to 110 亿元 and leaves 万州
    with 2 enterprises, a cell disclosure control suppresses (values NULL, its survey's digitalization
    rate too). The next publish records the change and the clearing with the files that feed each cell
    (涪陵's file feeds the chain, not 万州; the filing that suppressed the cell clears its survey rate),
    and no figure the snapshot did not publish; a publish that changes nothing revises nothing."""
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    with duckdb.connect(str(build)) as con:
        con.execute("update marts.district_monthly set digitalization_rate_pct = 30")
    publish(build, snapshot, "run-1")
    with duckdb.connect(str(build)) as con:
        con.execute("update marts.chain_monthly set revenue_ytd_yi = 110")
        con.execute(
            "update marts.district_monthly set enterprise_count = 2, revenue_ytd_yi = null, rd_ytd_yi = null, "
            "rd_intensity_pct = null, digitalization_rate_pct = null"
        )
        for source_file, district in (
            ("filings/万州_2024-10_更正.csv", "500101"),
            ("filings/涪陵_2024-10.csv", "500102"),
        ):
            con.execute(
                "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, periods, districts, "
                "first_seen_at) values (?, ?, 'filings', 'ingested', '2024-10', ?, now()::timestamp)",
                [source_file, source_file, district],
            )
    assert publish(build, snapshot, "run-2").cell_revisions == 6
    assert publish(build, snapshot, "run-3").cell_revisions == 0
    # a late filing for 万州 whose 区县 reads 涪陵 (DQ11): no file names 万州, so the one that came is named
    with duckdb.connect(str(build)) as con:
        con.execute("update marts.district_monthly set enterprise_count = 3")
        con.execute(
            "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, periods, districts, "
            "first_seen_at) values ('late', 'filings/补报_2024-10.csv', 'filings', 'ingested', '2024-10', '500102', "
            # after run-3, whose time may be a second or two ahead (publishes in one second are spaced)
            "now()::timestamp + interval 1 minute)"
        )
    assert publish(build, snapshot, "run-4").cell_revisions == 1
    revisions = fetch(
        snapshot,
        "select run_id, cell_table, unit_code, period::varchar, measure, revision_kind, old_value, new_value, "
        "change, caused_by from marts.cell_revisions order by run_id, cell_table, measure",
    )
    vintages = fetch(snapshot, "select run_id, count(*) from marts.cell_vintages group by 1 order by 1")
    both, wanzhou = (
        "filings/万州_2024-10_更正.csv (arrived); filings/涪陵_2024-10.csv (arrived)",
        ("filings/万州_2024-10_更正.csv (arrived)"),
    )
    assert revisions.pop() == (
        "run-4", "district_monthly", "500101", "2024-10-01", "enterprise_count", "changed", 2, 3, 1,
        "filings/补报_2024-10.csv (arrived)",
    )  # fmt: skip
    assert revisions == [
        (
            "run-2",
            "chain_monthly",
            "smart_terminal",
            "2024-10-01",
            "revenue_ytd_yi",
            "changed",
            100,
            110,
            10,
            both,
        ),
        (
            "run-2",
            "district_monthly",
            "500101",
            "2024-10-01",
            "digitalization_rate_pct",
            "cleared",
            30,
            None,
            None,
            wanzhou,
        ),
        (
            "run-2",
            "district_monthly",
            "500101",
            "2024-10-01",
            "enterprise_count",
            "changed",
            5,
            2,
            -3,
            wanzhou,
        ),
        (
            "run-2",
            "district_monthly",
            "500101",
            "2024-10-01",
            "rd_intensity_pct",
            "cleared",
            1,
            None,
            None,
            wanzhou,
        ),
        ("run-2", "district_monthly", "500101", "2024-10-01", "rd_ytd_yi", "cleared", 1, None, None, wanzhou),
        (
            "run-2",
            "district_monthly",
            "500101",
            "2024-10-01",
            "revenue_ytd_yi",
            "cleared",
            100,
            None,
            None,
            wanzhou,
        ),
    ]
    assert vintages == [("run-1", 2), ("run-2", 2), ("run-3", 2), ("run-4", 2)]


def test_a_run_killed_after_the_swap_loses_no_history(tmp_path: Path) -> None:
    """Killed between the swap and the build database's copy of the history: the snapshot records a
    later publish than the copy, and the next publish carries the history from the snapshot."""
    build, snapshot = tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    after_first = tmp_path / "after_first.duckdb"
    shutil.copy(build, after_first)
    _arrives(build, "filings/万州_2024-10_更正.csv", 110)
    publish(build, snapshot, "run-2")
    shutil.copy(after_first, build)  # the copy of run-2's history never reached the build database
    _arrives(build, "filings/万州_2024-10_更正.csv", 110)
    assert publish(build, snapshot, "run-3").revisions == 0
    logs, vintages, revisions = _history(snapshot)
    assert logs == [("run-1",), ("run-2",), ("run-3",)]
    assert [run for run, _ in vintages] == ["run-1", "run-2", "run-3"]
    assert [(run, old, new) for run, _, _, _, old, new, _ in revisions] == [("run-2", 100.0, 110.0)]
    with duckdb.connect(str(snapshot), read_only=True) as con:  # the cells' history came along too
        cells = con.execute(
            "select run_id from marts.cell_vintages order by published_at, cell_table"
        ).fetchall()
    assert cells == [("run-1",), ("run-1",), ("run-2",), ("run-2",), ("run-3",), ("run-3",)]


def _written_by_an_analyst(snapshot: Path) -> None:
    """A read-write connection (after a chmod, as a non-root analyst would need) sets revenue to 9999."""
    snapshot.chmod(0o644)
    with duckdb.connect(str(snapshot)) as con:
        con.execute("update marts.indicator_progress set actual_value = 9999")


def _refused_by_readers(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Why every reader refuses the snapshot: the message connect_snapshot raises, which status prints
    in place of the snapshot's figures (exit 0: the rest of the status stands)."""
    from orchestration.locking import SnapshotUnreadable, connect_snapshot
    from orchestration.settings import Settings
    from orchestration.status import status

    with pytest.raises(SnapshotUnreadable) as caught:
        connect_snapshot(snapshot)
    assert status(Settings(snapshot.parent.parent / "raw", snapshot.parent)) == 0
    assert f"Published snapshot: not shown, {caught.value}." in capsys.readouterr().out
    return str(caught.value)


def test_the_published_snapshot_is_read_only_and_a_write_to_it_is_not_served(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An analyst's tool opened the snapshot read-write (the default of most) and set revenue to 9999:
    status saw nothing and the briefing showed 9999 亿元. The file is now published read-only, so
    such a tool gets an error instead; written anyway (by root, or after a chmod), every reader
    refuses it as no publish until `planwatch run` publishes it again."""
    from orchestration.locking import connect_snapshot

    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    build, snapshot = warehouse / "build.duckdb", warehouse / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    assert snapshot.stat().st_mode & 0o777 == 0o444
    with connect_snapshot(snapshot) as con:
        (published,) = con.execute("select sum(actual_value) from marts.indicator_progress").fetchone()

    _written_by_an_analyst(snapshot)
    assert _refused_by_readers(snapshot, capsys) == (
        f"{snapshot} is not a file planwatch published: its SHA-256 is none of those analytics.duckdb.sha256 "
        "lists (a connection that opened it read-write wrote to it, or the list was edited), so its figures "
        "may not be the published ones; run `planwatch run` to publish it again (analysts connect with "
        "read_only=True)"
    )

    publish(build, snapshot, "run-2")
    with connect_snapshot(snapshot) as con:
        assert con.execute("select sum(actual_value) from marts.indicator_progress").fetchone() == (
            published,
        )


def test_a_written_snapshot_lends_no_history_and_a_restored_publish_is_served(tmp_path: Path) -> None:
    """The build database is lost (moved aside, as advice for a damaged one goes) and the snapshot was
    written to: its publish log and vintages were taken as the history, the doubled figures became
    what earlier publishes said, and the revisions blamed an input file. Refused now. A snapshot
    restored from a backup of an earlier publish is one planwatch wrote: served."""
    from orchestration.freshness import outputs
    from orchestration.locking import connect_snapshot
    from orchestration.settings import Settings

    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    build, snapshot = warehouse / "build.duckdb", warehouse / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    first = tmp_path / "backup.duckdb"
    shutil.copy2(snapshot, first)
    publish(build, snapshot, "run-2")
    publish(build, snapshot, "run-3")

    snapshot.chmod(0o644)
    with duckdb.connect(str(snapshot)) as con:
        con.execute("update marts.indicator_vintages set actual_value = actual_value * 2")
    written = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    build.rename(build.with_name("build.duckdb.aside"))
    write_build_db(build, subject="营业收入本年累计")
    with pytest.raises(PublishRefused) as caught:
        publish(build, snapshot, "run-4")
    assert (
        "and its history cannot be taken from it: "
        + f"{snapshot} is not a file planwatch published: its SHA-256 "
        "is none of those analytics.duckdb.sha256 lists"
    ) in str(caught.value)
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == written  # left as it was

    # the first publish, restored from its backup: served, with its own publish log
    snapshot.unlink()
    shutil.copy2(first, snapshot)
    with connect_snapshot(snapshot) as con:
        assert con.execute("select run_id from marts.publish_log").fetchall() == [("run-1",)]
    # a list edited (or deleted) is not what the last run left: the next run is no no-op
    settings = Settings(tmp_path / "raw", warehouse)
    before = outputs(settings)["snapshot_seal"]
    seal = warehouse / "analytics.duckdb.sha256"
    seal.write_text(seal.read_text() + "0" * 64 + "\n")
    assert outputs(settings)["snapshot_seal"] != before


def test_a_snapshot_whose_list_of_digests_is_gone_is_not_served_until_the_next_publish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deleting analytics.duckdb.sha256 (a tidy-up of a file that looked stray) turned the check off: a
    snapshot written to after its publish was then served as published. A snapshot says in itself that
    it was published with a list, so a lost list is told from a warehouse published before the list
    existed, which is still served as it is."""
    from orchestration.locking import connect_snapshot
    from orchestration.seal import seal_path

    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    build, snapshot = warehouse / "build.duckdb", warehouse / "analytics.duckdb"
    write_build_db(build, subject="营业收入本年累计")
    publish(build, snapshot, "run-1")
    _written_by_an_analyst(snapshot)
    seal_path(snapshot).unlink()

    assert _refused_by_readers(snapshot, capsys) == (
        f"{snapshot} was published with its SHA-256 in analytics.duckdb.sha256 beside it, and that list is "
        "gone, so whether a connection wrote to it since cannot be told and its figures are not served; put "
        "analytics.duckdb.sha256 back from where it went (a backup beside the snapshot's), or run "
        "`planwatch run` to publish again and start the list anew"
    )

    publish(build, snapshot, "run-2")  # the build database holds the history: published again
    with connect_snapshot(snapshot) as con:
        assert con.execute("select max(actual_value) from marts.indicator_progress").fetchone() != (9999,)
    assert seal_path(snapshot).read_text().split() == [sha256(snapshot)]

    # a warehouse published before planwatch kept the list says nothing of one: taken as it is
    snapshot.chmod(0o644)
    with duckdb.connect(str(snapshot)) as con:
        con.execute("comment on table marts.publish_log is null")
    seal_path(snapshot).unlink()
    with connect_snapshot(snapshot) as con:
        assert con.execute("select count(*) from marts.publish_log").fetchone() == (2,)
