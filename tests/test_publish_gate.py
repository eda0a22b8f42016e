"""The publish gate: a snapshot with no enterprise in scope, or one whose latest common period lost
more than var publish_max_drop_share of its enterprises or revenue, is not published; the previous
snapshot stays byte for byte and the message names the cause. `--accept-drop REASON` overrides and
is recorded in marts.publish_log."""

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from orchestration.identity import uscc_check_char
from orchestration.publish import coverage_refusal
from tests.sheets import write_csv, write_xlsx

OCT, NOV = dt.date(2024, 10, 1), dt.date(2024, 11, 1)


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
        # the latest period in common is compared, not a new month the previous publish lacked
        ({OCT: (100, 500.0)}, {OCT: (100, 500.0), NOV: (3, 1.0)}, None),
        ({OCT: (100, 500.0), NOV: (90, 560.0)}, {OCT: (100, 500.0), NOV: (10, 60.0)}, "2024-11"),
        # growth is never refused; a previous period without revenue compares enterprises only
        ({OCT: (100, None)}, {OCT: (300, 900.0)}, None),
    ],
)
def test_coverage_refusal(previous, new, refused) -> None:
    verdict = coverage_refusal(previous, new, 0.2)
    if refused is None:
        assert verdict is None
    else:
        assert verdict is not None and refused in verdict


def test_refusal_names_the_numbers_and_the_limit() -> None:
    verdict = coverage_refusal(
        {OCT: (812, 6428.47)}, {OCT: (120, 6428.47)}, 0.2, "the publish of 2024-11-20 06:00"
    )
    assert verdict == (
        "2024-10 would lose 85% of its enterprises against the publish of 2024-11-20 06:00 "
        "(812 → 120; the limit is 20%, dbt var publish_max_drop_share)"
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
