"""District feedback workbooks, from a hand-made build database.

Findings (contract columns of marts.dq_findings):
    F1 DQ03 warn  万州区 500101 2024-10  message is an injected =HYPERLINK(...) formula
    F2 DQ07 error 万州区 500101 2024-10  revenue −200.00 万元, districts/万州_2024-10.xlsx row 6
    F3 DQ01 error 涪陵区 500102 2024-09  no submission (no file, no row)
    F4 DQ12 warn  city-wide (no district) 2024-10
    F5 DQ14 error 万州区 500101 2062-07  a mistyped period in filings/企业月报_2026-07.xlsx, whose
                                         other lines report 2026-07: filed_period 2026-07, as the
                                         build decides it (tests/test_dq_rules.py checks that)
So four workbooks: 2024-09/500102_涪陵区.xlsx, 2024-10/500101_万州区.xlsx (F2 before F1: errors
first, 1 error and 1 warning), 2024-10/全市_citywide.xlsx and 2026-07/500101_万州区.xlsx (the
month of F5's file, not 2062-07).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from orchestration import feedback
from orchestration.assets.reports import FEEDBACK_MARTS, PUBLISHED, district_feedback
from orchestration.feedback import (
    Finding,
    Rule,
    amount_cell,
    problems,
    safe_cell,
    workbook_path,
    write_feedback,
)
from orchestration.ingest.ledger import ensure_schema
from orchestration.resources import WarehouseResource

INJECTED = '=HYPERLINK("http://example.invalid/x","点此查看")'
# fmt: off
FINDINGS = [
    ("f1", "DQ03", "warn", "500101", dt.date(2024, 10, 1), "企业个数", "12", "11", INJECTED,
     "districts/万州_2024-10.xlsx", 6, dt.date(2024, 10, 1)),
    ("f2", "DQ07", "error", "500101", dt.date(2024, 10, 1), "营业收入本年累计", "≥ 0", "-200.00",
     "万州区 2024年10月 区县报送营业收入本年累计为 -200.00 万元，不能为负数。", "districts/万州_2024-10.xlsx", 6,
     dt.date(2024, 10, 1)),
    ("f3", "DQ01", "error", "500102", dt.date(2024, 9, 1), "区县月报", "区县月报", None,
     "涪陵区 2024年9月 未报送区县月报。", None, None, dt.date(2024, 9, 1)),
    ("f4", "DQ12", "warn", None, dt.date(2024, 10, 1), "39大类营业收入", "5000.00", "4800.00",
     "2024年10月 企业月报39大类合计 4800.00 万元，统计局 5000.00 万元，相差 4.0%。", "bureau/统计局_2024-10.xlsx", 8,
     dt.date(2024, 10, 1)),
    ("f5", "DQ14", "error", "500101", dt.date(2062, 7, 1), "企业月报 报告期", "2022年1月至2026年12月", "2062年7月",
     "万州区企业月报的报告期为2062年7月，晚于当前月份。", "filings/企业月报_2026-07.xlsx", 4, dt.date(2026, 7, 1)),
]
RULES = [
    ("DQ01", "区县未报送", "error", "区县每月都应报送区县月报。", "—", ""),
    ("DQ03", "区县企业个数与填报企业数不符", "warn", "企业个数应等于已报送月报的企业家数。", "有差异即提示", ""),
    ("DQ07", "数值不合理", "warn/error", "营业收入和研发费用不应为负数。", "研发强度超过 30% 为提示", ""),
    ("DQ12", "39大类合计与统计局数据不符", "warn", "39大类合计应与统计局发布数一致。", "相差超过 2%", ""),
    ("DQ14", "报告期不合理", "error", "报告期不应晚于当前月份。", "—", ""),
]
UNITS = [
    ("500101", "万州区", "万州", "district"),
    ("500102", "涪陵区", "涪陵", "district"),
]
# fmt: on


def build_db(path: Path, findings: list[tuple] = FINDINGS) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema reference")
        con.execute(
            """
            create table marts.dq_findings (
                finding_id varchar, rule_id varchar, severity varchar, district_code varchar,
                period date, subject varchar, expected varchar, actual varchar, message varchar,
                source_file varchar, source_row integer, filed_period date,
                district_figure_stands boolean not null default false
            )
            """
        )
        con.execute(
            """
            create table marts.dq_rules (
                rule_id varchar, title varchar, severity varchar, checks_zh varchar, threshold_zh varchar,
                explains varchar
            )
            """
        )
        ensure_schema(con)  # the raw tables, as the ingest makes them
        con.execute(
            "create table reference.reporting_units "
            "(district_code varchar, district_name varchar, short_name varchar, kind varchar)"
        )
        if findings:
            columns = (
                "finding_id, rule_id, severity, district_code, period, subject, expected, actual, message, "
            )
            columns += "source_file, source_row, filed_period" + (
                ", district_figure_stands" if len(findings[0]) > 12 else ""
            )
            marks = ", ".join("?" * len(findings[0]))
            con.executemany(f"insert into marts.dq_findings ({columns}) values ({marks})", findings)
        con.executemany("insert into marts.dq_rules values (?, ?, ?, ?, ?, ?)", RULES)
        con.executemany("insert into reference.reporting_units values (?, ?, ?, ?)", UNITS)
    return path


def files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        (INJECTED, "'" + INJECTED),
        ("+86 23 1234 5678", "'+86 23 1234 5678"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("-200.00", "-200.00"),
        ("-1,234.5", "-1,234.5"),
        ("+5.2%", "+5.2%"),
        ("万州区 2024年10月", "万州区 2024年10月"),
        ("a=b", "a=b"),
        ("", ""),
        ("坏\x07字符\x00", "坏字符"),
        ("\x01=1+1", "'=1+1"),
        (None, None),
        (12, 12),
        (-3.5, -3.5),
        (dt.date(2024, 10, 1), dt.date(2024, 10, 1)),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    ("period", "code", "name", "expected"),
    [
        (dt.date(2024, 10, 1), "500101", "万州区", "2024-10/500101_万州区.xlsx"),
        (dt.date(2024, 1, 1), "5001A1", "两江新区", "2024-01/5001A1_两江新区.xlsx"),
        (dt.date(2024, 10, 1), None, None, "2024-10/全市_citywide.xlsx"),
        (None, "500101", "万州区", "未分期_undated/500101_万州区.xlsx"),
        (dt.date(2024, 10, 1), "500199", None, "2024-10/500199_未知区县.xlsx"),
        (dt.date(2024, 10, 1), "5001/1", "a:b", "2024-10/5001_1_a_b.xlsx"),
    ],
)
def test_workbook_path(period: dt.date | None, code: str | None, name: str | None, expected: str) -> None:
    assert workbook_path(period, code, name) == Path(expected)


def test_one_workbook_per_district_and_period(tmp_path) -> None:
    out = tmp_path / "feedback"

    written = write_feedback(build_db(tmp_path / "build.duckdb"), out)

    expected = [
        "2024-09/500102_涪陵区.xlsx",
        "2024-10/500101_万州区.xlsx",
        "2024-10/全市_citywide.xlsx",
        "2026-07/500101_万州区.xlsx",  # F5, whose period 2062-07 is the fault: filed with its file
    ]
    assert written == [out / name for name in expected]
    assert files(out) == expected
    assert not list(tmp_path.glob(".feedback.*")), "no building or retired folder is left behind"


def test_district_workbook_content(tmp_path) -> None:
    out = tmp_path / "feedback"
    write_feedback(build_db(tmp_path / "build.duckdb"), out)

    book = openpyxl.load_workbook(out / "2024-10" / "500101_万州区.xlsx")

    assert book.sheetnames == ["需要更正", "规则说明"]
    sheet = book["需要更正"]
    assert sheet["A1"].value == "万州区 2024年10月 数据质量反馈"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == (
        "共 2 个问题：错误 1 条（须更正后重新报送），提示 1 条（请核实）；同一原因引起的各条列为一个问题，原因在前"
    )
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows == [
        ["问题", "严重程度", "规则", "说明", "应为", "实际", "来源文件", "行号", "处理建议"],
        [
            1,
            "错误",
            "DQ07 数值不合理",
            "万州区 2024年10月 区县报送营业收入本年累计为 -200.00 万元，不能为负数。",
            "≥ 0",
            -200,
            "districts/万州_2024-10.xlsx",
            6,
            "请更正后重新报送",
        ],
        [
            2,
            "提示",
            "DQ03 区县企业个数与填报企业数不符",
            "'" + INJECTED,
            12,
            11,
            "districts/万州_2024-10.xlsx",
            6,
            "请核实，如有误请更正",
        ],
    ]
    injected = sheet["D5"]
    assert (injected.data_type, injected.value) == ("s", "'" + INJECTED), "stored as text, not a formula"
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:I5"
    assert sheet.column_dimensions["D"].width == 64
    assert (sheet["E5"].number_format, sheet["F4"].number_format) == ("#,##0", "#,##0")
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth) == ("landscape", 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True

    rules = [list(row) for row in book["规则说明"].iter_rows(values_only=True)]
    assert rules == [
        ["规则编号", "规则名称", "严重程度", "审核内容", "阈值", "本表条数"],
        [
            "DQ03",
            "区县企业个数与填报企业数不符",
            "提示",
            "企业个数应等于已报送月报的企业家数。",
            "有差异即提示",
            1,
        ],
        ["DQ07", "数值不合理", "提示/错误", "营业收入和研发费用不应为负数。", "研发强度超过 30% 为提示", 1],
    ]


def test_a_district_figure_found_right_is_not_asked_to_be_resubmitted(tmp_path) -> None:
    """云阳县's total differs from the filings' sum only by a line filed under a mistyped code: DQ02
    says the district has nothing to correct. Its workbook said 请更正后重新报送 beside that; now the
    advice asks it to have the enterprise correct, and the heading counts it apart."""
    stands = (
        "d2", "DQ02", "error", "500101", dt.date(2024, 10, 1), "营业收入本年累计", "400", "1,000",
        "……按这些企业月报应为的数计，企业月报合计为 1,000.00 万元，与区县报送数相符：请督促上述企业更正月报，区县报送数无需更正。",
        "districts/万州_2024-10.xlsx", 6, dt.date(2024, 10, 1), True,
    )  # fmt: skip
    out = tmp_path / "feedback"
    write_feedback(build_db(tmp_path / "build.duckdb", [stands]), out)

    sheet = openpyxl.load_workbook(out / "2024-10" / "500101_万州区.xlsx")["需要更正"]
    assert sheet["A2"].value == (
        "共 1 个问题：错误 1 条（0 条须更正后重新报送，1 条区县报送数无误、只须督促企业更正月报），提示 0 条（请核实）；"
        "同一原因引起的各条列为一个问题，原因在前"
    )
    assert sheet["I4"].value == "此项区县报送数无需更正：请督促说明中的企业更正月报"


def test_a_file_in_another_unit_is_named_beside_figures_in_wan(tmp_path) -> None:
    """忠县's filings were in 千元: the message's 7,908.88 万元 is 79,088.8 in the file, and an officer
    searching the file for 7,908.88 found nothing. The workbook now says the file's unit."""
    converted = (
        "f9", "DQ04", "error", "500101", dt.date(2024, 10, 1), "营业收入本年累计", "≥ 13,029.52", "7,908.88",
        "万州区2024年10月企业“甲”月报的营业收入本年累计为 7,908.88 万元。", "filings/企业月报_2024-10.csv", 7,
        dt.date(2024, 10, 1),
    )  # fmt: skip
    build = build_db(tmp_path / "build.duckdb", [converted, FINDINGS[0]])
    with duckdb.connect(str(build)) as con:
        con.execute(
            "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, first_seen_at, money_units) "
            "values ('a', 'filings/企业月报_2024-10.csv', 'filings', 'ingested', now(), ?)",
            ["营业收入本年累计（千元）：千元；研发费用本年累计（千元）：千元"],
        )
    write_feedback(build, tmp_path / "feedback")

    sheet = openpyxl.load_workbook(tmp_path / "feedback" / "2024-10" / "500101_万州区.xlsx")["需要更正"]
    messages = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert messages[0] == (
        "万州区2024年10月企业“甲”月报的营业收入本年累计为 7,908.88 万元。（来源文件中的金额单位：营业收入本年累计（千元）："
        "千元；研发费用本年累计（千元）：千元；说明中的金额已折算为万元）"
    )
    assert messages[1] == "'" + INJECTED  # a file in 万元, or with no figure in 万元: as it was


def test_missing_file_and_citywide_workbooks(tmp_path) -> None:
    out = tmp_path / "feedback"
    write_feedback(build_db(tmp_path / "build.duckdb"), out)

    fuling = openpyxl.load_workbook(out / "2024-09" / "500102_涪陵区.xlsx")["需要更正"]
    assert fuling["A1"].value == "涪陵区 2024年9月 数据质量反馈"
    assert fuling["A2"].value.startswith("共 1 个问题：错误 1 条（须更正后重新报送），提示 0 条（请核实）")
    assert [list(row) for row in fuling.iter_rows(min_row=4, values_only=True)] == [
        [
            1,
            "错误",
            "DQ01 区县未报送",
            "涪陵区 2024年9月 未报送区县月报。",
            "区县月报",
            None,
            None,
            None,
            "请更正后重新报送",
        ],
    ]

    citywide = openpyxl.load_workbook(out / "2024-10" / "全市_citywide.xlsx")["需要更正"]
    assert citywide["A1"].value == "全市 2024年10月 数据质量反馈"
    assert citywide["A2"].value.startswith("共 1 个问题：错误 0 条（须更正后重新报送），提示 1 条（请核实）")
    assert [row[2] for row in citywide.iter_rows(min_row=4, values_only=True)] == [
        "DQ12 39大类合计与统计局数据不符"
    ]


def test_a_second_run_replaces_the_set_and_gives_the_same_bytes(tmp_path) -> None:
    out = tmp_path / "feedback"
    write_feedback(build_db(tmp_path / "first.duckdb"), out)
    before = (out / "2024-10" / "500101_万州区.xlsx").read_bytes()

    without_fuling = [finding for finding in FINDINGS if finding[0] != "f3"]
    written = write_feedback(build_db(tmp_path / "second.duckdb", without_fuling), out)

    kept = ["2024-10/500101_万州区.xlsx", "2024-10/全市_citywide.xlsx", "2026-07/500101_万州区.xlsx"]
    assert files(out) == kept
    assert written == [out / name for name in kept]
    assert not (out / "2024-09").exists()
    assert (out / "2024-10" / "500101_万州区.xlsx").read_bytes() == before, "same findings, same bytes"


def test_no_findings_leaves_an_empty_folder(tmp_path) -> None:
    out = tmp_path / "feedback"
    write_feedback(build_db(tmp_path / "first.duckdb"), out)

    assert write_feedback(build_db(tmp_path / "second.duckdb", []), out) == []
    assert out.is_dir() and files(out) == []


def test_a_failed_write_keeps_the_previous_set(tmp_path, monkeypatch) -> None:
    out = tmp_path / "feedback"
    write_feedback(build_db(tmp_path / "build.duckdb"), out)
    before = {name: (out / name).read_bytes() for name in files(out)}
    original = feedback._write_workbook
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(feedback, "_write_workbook", fail_on_second)
    with pytest.raises(OSError, match="disk full"):
        write_feedback(build_db(tmp_path / "second.duckdb", FINDINGS[1:]), out)

    assert {name: (out / name).read_bytes() for name in files(out)} == before
    assert not list(tmp_path.glob(".feedback.*"))


def test_refuses_to_replace_a_folder_that_is_not_feedback(tmp_path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "briefing.xlsx").write_bytes(b"not ours")

    with pytest.raises(ValueError, match="not a feedback workbook folder"):
        write_feedback(build_db(tmp_path / "build.duckdb"), out)
    assert files(out) == ["briefing.xlsx"]


def _finding(rule: str, file: str | None, row: int | None, severity: str = "error") -> Finding:
    return Finding(
        f"{rule}-{file}-{row}", rule, severity, "500101", "万州区", dt.date(2024, 10, 1), None, None, None,
        f"{rule} 的说明", file, row,
    )  # fmt: skip


CATALOGUE = {
    rule: Rule(rule, title, "error", None, None, frozenset(explains.split()))
    for rule, title, explains in [
        ("DQ02", "区县营业收入与企业月报合计不符", ""),
        ("DQ05", "营业收入同比增速异常", ""),
        ("DQ06", "疑似计量单位错误", "DQ02 DQ04 DQ05 DQ07"),
        ("DQ07", "数值不合理", ""),
        ("DQ09", "统一社会信用代码校验错误", "DQ10"),
        ("DQ10", "企业名录与月报不一致", ""),
        ("DQ11", "填报区县与名录区县不一致", ""),
    ]
}
SUBMISSION = "districts/万州_2024-10.xlsx"


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        # a unit mix-up on one line of a submission: one problem, the cause first
        ([("DQ02", SUBMISSION, 6), ("DQ05", SUBMISSION, 6), ("DQ06", SUBMISSION, 6), ("DQ07", SUBMISSION, 6)],
         [("DQ06", ["DQ02", "DQ05", "DQ07"])]),
        # on different lines they are separate problems
        ([("DQ02", SUBMISSION, 6), ("DQ06", SUBMISSION, 7)], [("DQ02", []), ("DQ06", [])]),
        # a rule the cause does not explain stays apart, even on the same line
        ([("DQ09", "filings/f.csv", 3), ("DQ10", "filings/f.csv", 3), ("DQ11", "filings/f.csv", 3)],
         [("DQ09", ["DQ10"]), ("DQ11", [])]),
        # without a file line there is nothing to tie them
        ([("DQ02", None, None), ("DQ06", None, None)], [("DQ02", []), ("DQ06", [])]),
        # the same file, another line of another file
        ([("DQ06", SUBMISSION, 6), ("DQ02", "districts/other.xlsx", 6)], [("DQ02", []), ("DQ06", [])]),
        ([("DQ07", SUBMISSION, 6)], [("DQ07", [])]),
    ],
)  # fmt: skip
def test_problems_group_findings_under_their_cause(findings: list[tuple], expected: list[tuple]) -> None:
    grouped = problems([_finding(*finding) for finding in findings], CATALOGUE)
    assert [(p.cause.rule_id, [f.rule_id for f in p.consequences]) for p in grouped] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,050,000", 1050000),
        ("5.2", 5.2),
        ("-200.00", -200),
        ("970,000.5", 970000.5),
        ("12", 12),
        ("≥ 0", "≥ 0"),
        ("≥ 1,000", "≥ 1,000"),
        ("500 至 1,500", "500 至 1,500"),
        ("校验码 A", "校验码 A"),
        ("1,00", "1,00"),
        ("30.00%", "30.00%"),
        (None, None),
    ],
)
def test_amounts_become_numbers_and_the_rest_stays_text(text: str | None, expected: object) -> None:
    assert amount_cell(text) == expected and type(amount_cell(text)) is type(expected)


def test_the_asset_comes_after_the_publish_and_writes_only_published_findings(tmp_path) -> None:
    """reports/district_feedback depends on published/analytics_snapshot, so in the refresh job a
    refused publish (a failed step) skips it. Materialized on its own, it writes the four workbooks when
    the marts it reads were published after they were built, and fails, leaving them byte for byte,
    when the marts were built again and not published (the second build drops F3: 2024-09 would go)."""
    assert {dep.asset_key for dep in district_feedback.specs_by_key[district_feedback.key].deps} == {
        *FEEDBACK_MARTS,
        PUBLISHED,
    }
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    out = warehouse / "reports" / "feedback"
    resources = {"warehouse": WarehouseResource(raw_dir=str(tmp_path / "raw"), warehouse_dir=str(warehouse))}
    with dg.DagsterInstance.ephemeral() as instance:
        build_db(warehouse / "build.duckdb")
        for key in (*FEEDBACK_MARTS, PUBLISHED):
            instance.report_runless_asset_event(dg.AssetMaterialization(key))
        assert dg.materialize([district_feedback], instance=instance, resources=resources).success
        before = {name: (out / name).read_bytes() for name in files(out)}
        assert sorted(before) == [
            "2024-09/500102_涪陵区.xlsx", "2024-10/500101_万州区.xlsx", "2024-10/全市_citywide.xlsx",
            "2026-07/500101_万州区.xlsx",
        ]  # fmt: skip

        (warehouse / "build.duckdb").unlink()
        build_db(warehouse / "build.duckdb", [finding for finding in FINDINGS if finding[0] != "f3"])
        for key in FEEDBACK_MARTS:
            instance.report_runless_asset_event(dg.AssetMaterialization(key))
        refused = dg.materialize(
            [district_feedback], instance=instance, resources=resources, raise_on_error=False
        )
    assert not refused.success
    [failure] = refused.get_step_failure_events()
    assert failure.step_failure_data.user_failure_data.description.startswith(
        "marts/dq_findings, marts/dq_rules were built after the last publish of published/analytics_snapshot"
    )
    assert {name: (out / name).read_bytes() for name in files(out)} == before


@pytest.mark.slow
def test_a_refused_publish_leaves_the_workbooks_of_the_last_publish(
    tmp_path: Path, planwatch, demo_first_run
) -> None:
    """The demo warehouse (30 enterprises, 2022-02..2022-04, published once, 15 workbooks); the registry
    leaves raw/, no enterprise is in scope and the publish is refused. The workbooks are written from
    what was published only: the folder keeps the first run's files byte for byte (a build without
    the registry would file a finding for every enterprise), and the summary says they were not
    rewritten instead of pointing at them as this run's."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)
    out = warehouse / "reports" / "feedback"
    before = {name: (out / name).read_bytes() for name in files(out)}
    assert len(before) == 15
    for registry in (raw / "registry").iterdir():
        registry.unlink()

    second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert second.returncode == 1, second.stderr[-3000:]
    assert "refused to publish: no enterprise is in scope" in second.stderr
    assert {name: (out / name).read_bytes() for name in files(out)} == before
    assert f"feedback workbooks in {out} ·" not in second.stderr
    assert f"feedback workbooks in {out}: not rewritten by this run (they are from an earlier publish)" in (
        second.stderr
    )
