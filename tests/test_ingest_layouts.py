"""One file per layout that districts, enterprises and the bureau really send, through the whole
pipeline: each file's values are asserted, four bad files are rejected, quarantined and listed, and
the run still publishes.

Every money figure below is 万元 after conversion; the comment beside a file says how it was written.
"""

import csv
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlwt

from orchestration.identity import uscc_check_char
from tests.sheets import write_xlsx

pytestmark = pytest.mark.slow


def uscc(n: int) -> str:
    first17 = f"9150010{n:010d}"
    return first17 + uscc_check_char(first17)


E = [uscc(n) for n in range(1, 40)]


def text_file(path: Path, rows: list[list[object]], encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def with_cached_values(path: Path, cached: dict[str, str]) -> None:
    """Give formula cells the cached values Excel would have saved (openpyxl writes none)."""
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in cached.items():
                    text = re.sub(rf'(<c r="{ref}"><f>[^<]*</f>)<v ?/>', rf"\g<1><v>{value}</v>", text)
                data = text.encode()
            target.writestr(item, data)
    temporary.replace(path)


FILINGS_HEADER = ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]

# file → [(uscc, revenue 万元, rd 万元)] expected after ingest, period 2024-10 unless said otherwise
EXPECTED_FILINGS: dict[str, list[tuple[str, str, str | None]]] = {
    "03_title_unit_note.xlsx": [(E[0], "1200.5", "12.25"), (E[1], "800", "8")],
    "04_two_row_header.xlsx": [(E[2], "3000", "60")],
    "05_yuan_header_gbk.csv": [(E[3], "1234.56", "23.456")],
    "06_qianyuan.xlsx": [(E[4], "4567.8", "91")],
    "07_yi_bom.csv": [(E[5], "12500", "375")],
    "08_text_numbers.csv": [
        (E[6], "1234567.8", None), (E[7], "12345.6", "12"), (E[8], "777", None), (E[9], "88", None), (E[10], "99", None),
    ],
    "09_period_spellings.csv": [(E[n], str(10 * (n - 10)), "1") for n in range(11, 16)],
    "10_order_extra.xlsx": [(E[16], "500", "5")],
    "11_formulas.xlsx": [(E[17], "666", "12")],
    "12_legacy.xls": [(E[18], "4321.5", "43.2")],
}  # fmt: skip


def build_folder(raw: Path) -> None:
    registry_rows = [["统一社会信用代码", "企业名称", "区县", "行业代码", "产业链", "规模以上"]]
    districts = ["万州区", "两江新区", "沙坪坝", "500106", "重庆高新区"]
    for index, code in enumerate(E[:30]):
        registry_rows.append([code, f"重庆测试电子{index}有限公司", districts[index % 5], "3911", "", "是"])
    # 1. registry, plain one-row header
    write_xlsx(raw / "registry" / "01_企业名录.xlsx", registry_rows)
    # 2. registry, English aliases, chain as code, UTF-8 CSV
    text_file(
        raw / "registry" / "02_roster_en.csv",
        [
            ["uscc", "name", "district", "industry_code", "chain"],
            [E[30], "Chongqing Sensor Co", "江津", "3983", "sensor_instrument"],
        ],
        "utf-8",
    )
    # 3. title row, unit line 万元, blank row, note under the table
    write_xlsx(
        raw / "filings" / "03_title_unit_note.xlsx",
        [["2024年1-10月重庆市电子信息制造业企业月报"], ["单位：万元"], [], FILINGS_HEADER,
         [E[0], "2024-10", 1200.5, 12.25], [E[1], "2024-10", 800, 8], [], ["注：本表数据为快报数。"], [E[2], "2024-10", 9, 9]],
    )  # fmt: skip
    # 4. two-row header with merged cells
    write_xlsx(
        raw / "filings" / "04_two_row_header.xlsx",
        [["统一社会信用代码", "报告期", "营业收入", None, "研发费用", None],
         [None, None, "本年累计", "同比增长(%)", "本年累计", "同比增长(%)"],
         [E[2], "2024-10", 3000, 5.5, 60, 1.2]],
        merges=("C1:D1", "E1:F1", "A1:A2", "B1:B2"),
    )  # fmt: skip
    # 5. unit in the header (元), GB18030 CSV: 12,345,600 元 = 1234.56 万元
    text_file(
        raw / "filings" / "05_yuan_header_gbk.csv",
        [
            ["统一社会信用代码", "报告期", "营业收入本年累计（元）", "研发费用本年累计（元）"],
            [E[3], "2024-10", "12345600", "234560"],
        ],
        "gb18030",
    )
    # 6. unit line 千元: 45,678 千元 = 4567.8 万元
    write_xlsx(
        raw / "filings" / "06_qianyuan.xlsx",
        [["计量单位：千元"], FILINGS_HEADER, [E[4], "2024-10", 45678, 910]],
    )
    # 7. unit line 亿元 in a UTF-8 CSV with BOM: 1.25 亿元 = 12500 万元
    text_file(
        raw / "filings" / "07_yi_bom.csv",
        [["单位：亿元"], FILINGS_HEADER, [E[5], "2024-10", "1.25", "0.0375"]],
        "utf-8-sig",
    )
    # 8. numbers as text: separators, full-width digits, spaces, missing markers
    text_file(
        raw / "filings" / "08_text_numbers.csv",
        [FILINGS_HEADER, [E[6], "2024-10", "1,234,567.8", "—"], [E[7], "2024-10", "１２３４５．６", " 12 "],
         [E[8], "2024-10", " 777 ", "…"], [E[9], "2024-10", "88", "/"], [E[10], "2024-10", "99", ""]],
        "utf-8",
    )  # fmt: skip
    # 9. every period spelling for the same month
    text_file(
        raw / "filings" / "09_period_spellings.csv",
        [FILINGS_HEADER, [E[11], "202410", 10, 1], [E[12], "2024年10月", 20, 1], [E[13], "2024年1-10月", 30, 1],
         [E[14], "2024.10", 40, 1], [E[15], "2024/10", 50, 1]],
        "utf-8",
    )  # fmt: skip
    # 10. another column order, with extra columns kept aside
    write_xlsx(
        raw / "filings" / "10_order_extra.xlsx",
        [
            ["研发费用本年累计", "备注", "营业收入本年累计", "填报人", "报告期", "统一社会信用代码"],
            [5, "新投产", 500, "张三", "2024-10", E[16]],
        ],
    )
    # 11. formulas: their cached values are read, nothing is evaluated
    path = write_xlsx(
        raw / "filings" / "11_formulas.xlsx", [FILINGS_HEADER, [E[17], "2024-10", "=600+66", "=6*2"]]
    )
    with_cached_values(path, {"C2": "666", "D2": "12"})
    # 12. legacy .xls (BIFF8)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("月报")
    for r, row in enumerate([FILINGS_HEADER, [E[18], "2024-10", 4321.5, 43.2]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(raw / "filings" / "12_legacy.xls"))
    # 13. district submissions by code, name, short name and zone, with a total line
    write_xlsx(
        raw / "districts" / "13_区县报送_2024-10.xlsx",
        [["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"], ["500101", "2024-10", 6, 100, 1],
         ["两江新区", "2024-10", 6, 200, 2], ["沙坪坝", "2024-10", 6, 300, 3], ["合计", "", 18, 600, 6]],
    )  # fmt: skip
    # 14. district submission in GBK with the English alias header and 1-10月 period
    text_file(
        raw / "districts" / "14_高新区_gbk.csv",
        [
            ["district", "period", "enterprise_count", "revenue_ytd", "rd_ytd"],
            ["西部科学城重庆高新区", "2024年1-10月", "6", "400", "4"],
        ],
        "gb18030",
    )
    # 15. bureau: January and February together (1-2月 is February), unit 亿元, industry by code
    write_xlsx(
        raw / "bureau" / "15_统计局.xlsx",
        [["2024年1-2月重庆市规模以上工业企业主要指标（分行业）"], ["单位：亿元"], ["行业", "营业收入本年累计", "同比增长(%)"],
         ["C39", 1000.5, "2.1"], ["仪器仪表制造业", 12, "-"]],
    )  # fmt: skip
    # 16. bureau: period only in the file name
    text_file(
        raw / "bureau" / "16_bureau_2024-10.csv",
        [["行业", "营业收入本年累计"], ["计算机、通信和其他电子设备制造业", "5,000,000"]],
        "utf-8",
    )
    # 17. survey with 1/0 answers and 2024年
    text_file(
        raw / "surveys" / "17_数字化调查.csv",
        [
            ["统一社会信用代码", "调查年度", "研发设计", "生产制造", "经营管理", "销售服务"],
            [E[0], "2024年", 1, 1, 1, 0],
            [E[1], "2024年", "是", "是", "是", "是"],
        ],
        "utf-8",
    )
    # Bad files. B1: a truncated workbook.
    (raw / "filings" / "B1_truncated.xlsx").write_bytes(
        (raw / "filings" / "06_qianyuan.xlsx").read_bytes()[:700]
    )
    # B2: a CSV with no recognisable header.
    text_file(raw / "filings" / "B2_no_header.csv", [["甲", "乙"], ["1", "2"]], "utf-8")
    # B3: a bureau table dropped into filings/.
    shutil.copy(raw / "bureau" / "15_统计局.xlsx", raw / "filings" / "B3_bureau_in_filings.xlsx")
    # B4: a workbook whose sheet would unpack 1000s of times its packed size (a zip bomb).
    bomb = raw / "filings" / "B4_bomb.xlsx"
    shutil.copy(raw / "filings" / "06_qianyuan.xlsx", bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet2.xml", "<row/>" * 2_000_000)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, planwatch) -> dict:
    root = tmp_path_factory.mktemp("layouts")
    raw, warehouse = root / "raw", root / "warehouse"
    build_folder(raw)
    result = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    return {"raw": raw, "warehouse": warehouse, "result": result}


def query(run: dict, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(run["warehouse"] / "build.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_fixture_has_fifteen_layouts_and_four_bad_files(run: dict) -> None:
    files = [p for p in run["raw"].rglob("*") if p.is_file()]
    assert len([p for p in files if not p.name.startswith("B")]) >= 15
    assert len([p for p in files if p.name.startswith("B")]) == 4


def test_run_publishes_despite_rejections(run: dict) -> None:
    assert run["result"].returncode == 0, run["result"].stderr[-3000:]
    assert (run["warehouse"] / "analytics.duckdb").exists()


def test_each_rejection_is_said_once_naming_the_file_once(run: dict) -> None:
    lines = [line for line in run["result"].stderr.splitlines() if ": warning: rejected " in line]
    for bad in ("B1", "B2", "B3", "B4"):
        said = [line for line in lines if f"filings/{bad}_" in line]
        assert len(said) == 1, said
        assert said[0].count(f"filings/{bad}_") == 1, said[0]


@pytest.mark.parametrize("name", sorted(EXPECTED_FILINGS))
def test_filing_values_per_file(run: dict, name: str) -> None:
    rows = query(
        run,
        "select uscc, strftime(period, '%Y-%m'), revenue_ytd_wan, rd_ytd_wan from raw.filings where source_file = ? order by source_row",
        [f"filings/{name}"],
    )
    expected = [
        (u, "2024-10", Decimal(r), None if d is None else Decimal(d)) for u, r, d in EXPECTED_FILINGS[name]
    ]
    assert rows == expected


def test_extra_columns_kept_aside(run: dict) -> None:
    extra = query(
        run, "select extra_columns from raw.filings where source_file = 'filings/10_order_extra.xlsx'"
    )
    assert extra == [('{"备注": "新投产", "填报人": "张三"}',)]


def test_two_row_header_keeps_its_growth_columns_aside(run: dict) -> None:
    extra = query(
        run, "select extra_columns from raw.filings where source_file = 'filings/04_two_row_header.xlsx'"
    )
    assert extra == [('{"营业收入同比增长(%)": "5.5", "研发费用同比增长(%)": "1.2"}',)]


def test_district_submissions(run: dict) -> None:
    rows = query(
        run,
        "select district_code, strftime(period, '%Y-%m'), enterprise_count, revenue_ytd_wan from raw.district_submissions order by 1",
    )
    assert rows == [
        ("500101", "2024-10", 6, Decimal(100)),
        ("500106", "2024-10", 6, Decimal(300)),
        ("5001A1", "2024-10", 6, Decimal(200)),
        ("5001A2", "2024-10", 6, Decimal(400)),
    ]


def test_bureau_tables(run: dict) -> None:
    rows = query(
        run,
        "select source_file, strftime(period, '%Y-%m'), industry_code, revenue_ytd_wan, yoy_pct from raw.bureau order by 1, source_row",
    )
    assert rows == [
        ("bureau/15_统计局.xlsx", "2024-02", "39", Decimal("10005000"), Decimal("2.1")),
        ("bureau/15_统计局.xlsx", "2024-02", "40", Decimal(120000), None),
        ("bureau/16_bureau_2024-10.csv", "2024-10", "39", Decimal(5000000), None),
    ]


def test_registry_and_survey(run: dict) -> None:
    assert query(run, "select count(*), count(district_code) from raw.registry") == [(31, 31)]
    assert query(run, "select district_code, chain_code from raw.registry where uscc = ?", [E[30]]) == [
        ("500116", "sensor_instrument")
    ]
    assert query(run, "select survey_year, design, sales from raw.surveys order by source_row") == [
        (2024, True, False),
        (2024, True, True),
    ]


REJECTIONS = {
    "filings/B1_truncated.xlsx": "cannot be opened as a workbook",
    "filings/B2_no_header.csv": "no header with the 企业月报 columns 统一社会信用代码、报告期、营业收入本年累计、研发费用本年累计",
    "filings/B3_bureau_in_filings.xlsx": "it looks like a 统计局月报 (bureau) file, which belongs in raw/bureau/",
    "filings/B4_bomb.xlsx": "holds xl/worksheets/sheet2.xml, which would unpack",
}


@pytest.mark.parametrize(("source", "problem"), sorted(REJECTIONS.items()))
def test_bad_files_rejected_quarantined_and_listed(run: dict, planwatch, source: str, problem: str) -> None:
    [(reason,)] = query(
        run, "select reason from raw.ingest_ledger where source_file = ? and status = 'rejected'", [source]
    )
    assert reason.startswith(source) and problem in reason
    quarantined = list((run["warehouse"] / "quarantine" / "filings").glob(f"*_{Path(source).name}"))
    assert len(quarantined) == 1
    assert problem in quarantined[0].with_name(quarantined[0].name + ".reason.txt").read_text(
        encoding="utf-8"
    )
    status = planwatch("status", "--warehouse", str(run["warehouse"]))
    assert source in status.stdout and problem in status.stdout


def test_status_counts_by_kind_and_period(run: dict, planwatch) -> None:
    out = planwatch("status", "--warehouse", str(run["warehouse"])).stdout
    assert re.search(r"filings\s+2024-10\s+ingested\s+10\b", out), out
    assert re.search(r"filings\s+—\s+rejected\s+4\b", out), out
    assert re.search(r"bureau\s+2024-02\s+ingested\s+1\b", out), out
