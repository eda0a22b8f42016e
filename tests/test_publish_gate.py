"""The publish gate: a snapshot with no enterprise in scope, one that no longer has a month the previous
publish had figures for, or one in which any period in common lost more than var
publish_max_drop_share of its enterprises or revenue, is not published; the previous snapshot stays byte for byte and the
message names the cause. `--accept-drop REASON` overrides and is recorded in marts.publish_log."""

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from orchestration.coverage import coverage_refusal, partial_month
from orchestration.identity import uscc_check_char
from orchestration.publish import PublishRefused, publish
from orchestration.scorecard import scorecard
from tests.builds import write_build_db
from tests.sheets import write_csv, write_xlsx

AUG, SEP, OCT, NOV = (dt.date(2024, month, 1) for month in (8, 9, 10, 11))


@pytest.mark.parametrize(
    ("previous", "new", "refused"),
    [
        # first publish: only an empty scope is refused
        (None, {OCT: (40, 120.0)}, None),
        (None, {OCT: (0, None)}, "no enterprise is in scope"),
        (None, {}, "no enterprise is in scope"),
        # 20% is allowed, 21% is not (enterprises, then revenue)
        ({OCT: (100, 500.0)}, {OCT: (80, 500.0)}, None),
        ({OCT: (100, 500.0)}, {OCT: (79, 500.0)}, "2024-10 would lose 21% of its enterprises"),
        ({OCT: (100, 500.0)}, {OCT: (100, 390.0)}, "2024-10 would lose 22% of its revenue (亿元)"),
        # every period in common is compared, not a new month the previous publish lacked
        ({OCT: (100, 500.0)}, {OCT: (100, 500.0), NOV: (3, 1.0)}, None),
        ({OCT: (100, 500.0), NOV: (90, 560.0)}, {OCT: (100, 500.0), NOV: (10, 60.0)}, "2024-11"),
        # ... a past month too: its filings replaced by a one-line 补报 while the latest is whole
        (
            {SEP: (100, 450.0), OCT: (100, 500.0), NOV: (90, 560.0)},
            {SEP: (1, 0.5), OCT: (100, 500.0), NOV: (90, 560.0)},
            "2024-09 would lose 99% of its enterprises",
        ),
        (
            {SEP: (100, 450.0), OCT: (100, 500.0), NOV: (90, 560.0)},
            {SEP: (100, 300.0), OCT: (100, 500.0), NOV: (90, 560.0)},
            "2024-09 would lose 33% of its revenue (亿元)",
        ),
        # growth is never refused; a previous period without revenue compares enterprises only
        ({OCT: (100, None)}, {OCT: (300, 900.0)}, None),
        # a month the previous publish had figures for and the new snapshot has not is a drop of 100%:
        # the latest month (its filings left raw/) or any other
        ({OCT: (100, 500.0), NOV: (90, 560.0)}, {OCT: (100, 500.0)}, "2024-11 would be missing"),
        (
            {OCT: (100, 500.0), NOV: (90, 560.0)},
            {OCT: (100, 500.0), NOV: (0, None)},
            "2024-11 would be missing",
        ),
        (
            {SEP: (100, 450.0), OCT: (100, 500.0), NOV: (90, 560.0)},
            {SEP: (100, 450.0), NOV: (90, 560.0)},
            "2024-10 would be missing",
        ),
        # ... but not a month that had no figures in the previous publish either
        ({SEP: (0, None), OCT: (100, 500.0)}, {OCT: (100, 500.0)}, None),
    ],
)
def test_coverage_refusal(previous, new, refused) -> None:
    verdict = coverage_refusal(previous, new, 0.2)
    if refused is None:
        assert verdict is None
    else:
        assert verdict is not None and refused in verdict


@pytest.mark.parametrize(
    ("coverage", "period", "note"),
    [
        # the first batch of November: 3 of October's 820 filers (published: the gate compares
        # only months published before), so the scorecard says its totals are not the month's yet
        (
            {OCT: (820, 6400.0), NOV: (3, 24.8)},
            NOV,
            "note: 2024-11 has filings from 3 enterprises, <1% of the 820 of 2024-10: its figures are partial "
            "until the rest of the month's filings arrive",
        ),
        ({OCT: (100, 500.0), NOV: (79, 420.0)}, NOV, "note: 2024-11 has filings from 79 enterprises, 79% of"),
        # 20% fewer is within the limit; a first month has nothing to compare with
        ({OCT: (100, 500.0), NOV: (80, 420.0)}, NOV, None),
        ({NOV: (3, 24.8)}, NOV, None),
        # the month before is the latest earlier month with filers
        ({AUG: (100, 500.0), SEP: (0, None), NOV: (95, 520.0)}, NOV, None),
    ],
)
def test_a_latest_month_with_few_filers_is_noted_as_partial(coverage, period, note) -> None:
    found = partial_month(coverage, period, 0.2)
    if note is None:
        assert found is None
    else:
        assert found is not None and found.startswith(note)


def test_the_scorecard_notes_a_partial_latest_month(tmp_path: Path) -> None:
    """A new month is published as it stands (it is no drop), and the scorecard says what it is: 2024-10
    has 1 filer against 5 in 2024-09. The snapshot holds the two marts the scorecard reads."""
    snapshot = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "create schema marts; "
            "create table marts.chain_monthly as select * from (values "
            "(date '2024-09-01', 'smart_terminal', 5), (date '2024-10-01', 'smart_terminal', 1)) "
            "as t(period, chain_code, enterprise_count); "
            "create table marts.indicator_progress as select 'cq-ei-2023-2027' as plan_id, 'revenue' as "
            "indicator_code, '亿元' as unit, period, revenue as actual_value, null::double as projected_annual, "
            "null::double as trajectory_value, 10000.0 as target_value, 2027 as target_year, 'behind' as status "
            "from (values (date '2024-09-01', 500.0), (date '2024-10-01', 2.5)) as t(period, revenue)"
        )
    lines = scorecard(snapshot).splitlines()
    assert lines[0].startswith("Scorecard for 2024-10")
    assert lines[-1] == (
        "note: 2024-10 has filings from 1 enterprises, 20% of the 5 of 2024-09: its figures are partial "
        "until the rest of the month's filings arrive"
    )


def test_refusal_names_the_numbers_and_the_limit() -> None:
    verdict = coverage_refusal(
        {OCT: (812, 6428.47)}, {OCT: (120, 6428.47)}, 0.2, "the publish of 2024-11-20 06:00"
    )
    assert verdict == (
        "2024-10 would lose 85% of its enterprises against the publish of 2024-11-20 06:00 "
        "(812 → 120; the limit is 20%, dbt var publish_max_drop_share)"
    )


def test_months_that_lose_figures_are_all_named_with_the_latest_ones_numbers() -> None:
    several = coverage_refusal(
        {AUG: (790, 5000.0), SEP: (800, 5712.71), OCT: (812, 6428.47), NOV: (815, 7100.5)},
        {AUG: (12, 80.0), SEP: (800, 5712.71), OCT: (10, 6428.47), NOV: (815, 7100.5)},
        0.2,
        "the publish of 2024-11-20 06:00",
    )
    assert several == (
        "2024-08, 2024-10 would each lose more than 20% of their enterprises or revenue against the publish "
        "of 2024-11-20 06:00 (2024-10: enterprises 812 → 10, 99% less; the limit is 20%, dbt var "
        "publish_max_drop_share)"
    )


def test_missing_months_are_named_with_what_the_last_publish_had() -> None:
    """One month: its figures in the last publish. Several: each named, consecutive ones as a range,
    with the figures of the latest."""
    one = coverage_refusal(
        {SEP: (800, 5712.71), OCT: (812, 6428.47)},
        {SEP: (800, 5712.71)},
        0.2,
        "the publish of 2024-11-20 06:00",
    )
    assert one == (
        "2024-10 would be missing against the publish of 2024-11-20 06:00, which has figures for it "
        "(812 enterprises, 6,428.47 亿元 of revenue); the new snapshot has none"
    )
    several = coverage_refusal(
        {AUG: (790, 5000.0), SEP: (800, 5712.71), OCT: (812, None), NOV: (815, 7100.5)},
        {SEP: (800, 5712.71)},
        0.2,
    )
    assert several == (
        "2024-08, 2024-10..2024-11 would be missing against the last publish, which has figures for them "
        "(2024-11: 815 enterprises, 7,100.50 亿元 of revenue); the new snapshot has none"
    )


def test_a_build_that_lost_a_published_month_is_refused_one_that_adds_one_is_published(
    tmp_path: Path,
) -> None:
    """Published 2024-09..2024-10; a build that adds 2024-11 is published. Then the 2024-11 filings
    file is withdrawn and the build ends at 2024-10 again: 2024-11 still in the snapshot would be
    missing, so the publish is refused, the message names the month, the withdrawn file and
    --accept-drop, and the snapshot stays byte for byte. With a reason it is published and
    publish_log records the reason and what was accepted."""
    snapshot = tmp_path / "analytics.duckdb"
    first = write_build_db(tmp_path / "build.duckdb", "2024-10-01", earlier_periods=("2024-09-01",))
    publish(first, snapshot, "run-1")
    build = write_build_db(
        tmp_path / "build2.duckdb",
        "2024-11-01",
        ledger_file="filings/万州_2024-11.csv",
        earlier_periods=("2024-09-01", "2024-10-01"),
    )
    publish(build, snapshot, "run-2")
    with duckdb.connect(str(build)) as con:
        con.execute("delete from marts.chain_monthly where period = ?", [NOV])
        con.execute("delete from marts.indicator_progress where period = ?", [NOV])
        # withdrawn after run-2 (whose time may be a second ahead of the clock: two publishes in a second)
        con.execute(
            "update raw.ingest_ledger set status = 'withdrawn', "
            "status_changed_at = (select max(published_at) from meta.publish_log) + interval 1 second "
            "where source_file = 'filings/万州_2024-11.csv'"
        )
    before = _sha256(snapshot)
    with pytest.raises(PublishRefused) as refused:
        publish(build, snapshot, "run-3")
    message = str(refused.value)
    assert message.startswith("refused to publish: 2024-11 would be missing against the publish of ")
    assert "(5 enterprises, 100 亿元 of revenue); the new snapshot has none" in message
    assert (
        "Likely cause: the filings file filings/万州_2024-11.csv was withdrawn (removed from raw/, or changed in place)"
        in message
    )
    assert "`planwatch run --accept-drop REASON`" in message
    assert _sha256(snapshot) == before

    publish(build, snapshot, "run-4", accept_drop="十一月企业月报撤回重报")
    with duckdb.connect(str(snapshot), read_only=True) as con:
        log = con.execute(
            "select run_id, last_period::varchar, coverage_override from marts.publish_log order by published_at"
        ).fetchall()
    assert [row[:2] for row in log] == [
        ("run-1", "2024-10-01"),
        ("run-2", "2024-11-01"),
        ("run-4", "2024-10-01"),
    ]
    assert [row[2] for row in log[:2]] == [None, None]
    assert log[2][2].startswith(
        "十一月企业月报撤回重报 (accepted: 2024-11 would be missing against the publish of "
    )


def uscc(serial: int) -> str:
    first17 = f"91500101MA{serial:07d}"
    return first17 + uscc_check_char(first17)


ENTERPRISES = [uscc(n) for n in range(1, 6)]
REGISTRY_HEADER = ["统一社会信用代码", "企业名称", "区县", "行业代码"]


def _raw_folder(root: Path, registry_header: list[str] = REGISTRY_HEADER) -> Path:
    """Five enterprises of class 3911 in 万州区, each with 1,000 万元 of revenue in 2024-10."""
    raw = root / "raw"
    write_xlsx(
        raw / "registry" / "企业名录.xlsx",
        [registry_header]
        + [[code, f"重庆{n}号电子有限公司", "万州区", "3911"] for n, code in enumerate(ENTERPRISES)],
    )
    write_csv(
        raw / "filings" / "万州_2024-10.csv",
        [["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]]
        + [[code, "2024-10", "1000", "20"] for code in ENTERPRISES],
    )
    return raw


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_first_run_with_the_registry_rejected_publishes_nothing(tmp_path: Path, planwatch) -> None:
    """The registry says 所属单位 where the district column should be: it is rejected, no enterprise is
    in scope, and a first publish of an empty snapshot is refused with the registry named."""
    raw = _raw_folder(tmp_path, ["统一社会信用代码", "企业名称", "所属单位", "行业代码"])
    warehouse = tmp_path / "warehouse"
    result = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert result.returncode == 1, result.stderr[-3000:]
    assert "refused to publish: no enterprise is in scope" in result.stderr
    assert "the registry registry/企业名录.xlsx was rejected" in result.stderr
    assert "missing 区县 (district)" in result.stderr
    assert not (warehouse / "analytics.duckdb").exists()


@pytest.mark.slow
def test_a_rejected_registry_after_a_good_publish_keeps_the_snapshot(tmp_path: Path, planwatch) -> None:
    """A good first publish (5 enterprises, 0.5 亿元 in 2024-10); then the registry is sent again with
    a header the reader cannot place: the old registry is withdrawn, the new one rejected, 2024-10
    would lose 100% of its enterprises. Exit 1, snapshot byte-identical; with --accept-drop it is
    published and the reason is in publish_log."""
    raw = _raw_folder(tmp_path)
    warehouse = tmp_path / "warehouse"
    first = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr[-3000:]
    snapshot = warehouse / "analytics.duckdb"
    before = _sha256(snapshot)

    registry = raw / "registry" / "企业名录.xlsx"
    registry.unlink()
    write_xlsx(
        raw / "registry" / "企业名录_更正.xlsx",
        [["统一社会信用代码", "企业名称", "所属单位", "行业代码"]]
        + [[code, "重庆电子有限公司", "万州区", "3911"] for code in ENTERPRISES],
    )
    second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert second.returncode == 1, second.stderr[-3000:]
    assert "refused to publish: no enterprise is in scope" in second.stderr
    assert "the registry registry/企业名录_更正.xlsx was rejected" in second.stderr
    assert "the registry registry/企业名录.xlsx was withdrawn" in second.stderr
    assert _sha256(snapshot) == before

    third = planwatch(
        "run", "--raw", str(raw), "--warehouse", str(warehouse), "--accept-drop", "名录更正中，先行发布"
    )
    assert third.returncode == 0, third.stderr[-3000:]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        log = con.execute(
            "select coverage_override from marts.publish_log order by published_at, run_id"
        ).fetchall()
    assert log[0] == (None,)
    assert log[-1][0].startswith("名录更正中，先行发布 (accepted: no enterprise is in scope")


@pytest.mark.slow
def test_a_run_without_the_latest_months_filings_is_refused_until_accepted(
    tmp_path: Path, planwatch, demo_first_run
) -> None:
    """The demo warehouse (30 enterprises, 2022-02..2022-04, published once); the 2022-04 filings file
    leaves raw/, so the build no longer has 2022-04 (28 enterprises, 740.26 亿元 in the snapshot): the
    run exits 1 naming the month, the withdrawn file and --accept-drop, and the snapshot stays byte for
    byte, still ending at 2022-04. With --accept-drop it ends at 2022-03 and the reason is recorded."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)
    snapshot = warehouse / "analytics.duckdb"
    before = _sha256(snapshot)
    (raw / "filings" / "企业月报_2022-04.xlsx").unlink()

    second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert second.returncode == 1, second.stderr[-3000:]
    assert "refused to publish: 2022-04 would be missing against the publish of " in second.stderr
    assert "which has figures for it (28 enterprises, 740.26 亿元 of revenue)" in second.stderr
    assert "the filings file filings/企业月报_2022-04.xlsx was withdrawn" in second.stderr
    assert "`planwatch run --accept-drop REASON`" in second.stderr
    assert f"nothing published; {snapshot} is unchanged" in second.stderr
    assert _sha256(snapshot) == before

    third = planwatch(
        "run", "--raw", str(raw), "--warehouse", str(warehouse), "--accept-drop", "四月企业月报退回重报"
    )
    assert third.returncode == 0, third.stderr[-3000:]
    assert "Scorecard for 2022-03" in third.stdout
    with duckdb.connect(str(snapshot), read_only=True) as con:
        last_period, override = con.execute(
            "select last_period::varchar, coverage_override from marts.publish_log order by published_at desc limit 1"
        ).fetchone()
    assert last_period == "2022-03-01"
    assert override.startswith(
        "四月企业月报退回重报 (accepted: 2022-04 would be missing against the publish of "
    )
