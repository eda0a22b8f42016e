"""A money cell is stored only when a total over many rows of it still fits the column.

DuckDB sums a DECIMAL(38, 6) into a DECIMAL(38, 6): at most 1e32 - 1e-6. Two filings of 6e31 万元 each
fit one by one, but their sum, 1.2e32, overflows ("Overflow in SUM of DECIMAL") and failed every dbt
build afterwards without naming a file. The ingest keeps room for SUM_HEADROOM = 10^6 rows: a money
cell must be under 1e32 / 10^6 = 1e26 万元, else its file is rejected naming file, row and column.
"""

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.ledger import MONEY
from orchestration.ingest.loader import ingest
from orchestration.ingest.parsing import SUM_HEADROOM, _largest_storable
from tests.sheets import write_csv, write_xlsx

HEADER = "统一社会信用代码,企业名称,区县,报告期,营业收入本年累计,研发费用本年累计,从业人员\n"
JIA, YI = "915000007339743120", "91110000802085421K"


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as connection:
        yield connection


def filings(raw: Path, name: str, jia: str, yi: str) -> str:
    path = raw / "filings" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "2025年5月企业月报\n"
        + HEADER
        + f"{JIA},重庆甲电子有限公司,万州区,2025-05,{jia},36.2,210\n"
        + f"{YI},重庆乙科技有限公司,万州区,2025-05,{yi},12,95\n",
        encoding="utf-8",
    )
    return f"filings/{name}"


def test_two_values_that_fit_alone_but_not_summed_are_the_reason_for_the_headroom(
    con: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(duckdb.OutOfRangeException, match="Overflow in SUM of DECIMAL"):
        con.execute(
            "select sum(v) from (values (6e31::decimal(38, 6)), (6e31::decimal(38, 6))) as t(v)"
        ).fetchall()
    assert _largest_storable(MONEY) == 1e32 / SUM_HEADROOM == 1e26


@pytest.mark.parametrize(
    ("jia", "yi", "row", "shown"),
    [
        ("1200.5", "6e31", 4, "6e+31"),  # under DECIMAL(38, 6)'s 1e32, but two of them overflow a sum
        ("1e26", "830", 3, "1e+26"),  # the bound itself
        ("1e40", "830", 3, "1e+40"),  # over what the column can hold at all
        ("-2e26", "830", 3, "-2e+26"),
    ],
)
def test_a_value_without_room_for_totals_rejects_its_file_naming_row_and_column(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, jia: str, yi: str, row: int, shown: str
) -> None:
    raw = tmp_path / "raw"
    rel = filings(raw, "企业月报_2025-05.csv", jia, yi)

    report = ingest(con, raw, tmp_path / "q", "filings")

    assert report.ingested == []
    assert report.rejected[rel].startswith(
        f"{rel}, row {row}: 营业收入本年累计 is {shown} 万元, which cannot be stored (at most 1e+26 万元 in "
        "this column, so that totals over many rows fit); correct the cell and send the file again"
    )
    assert con.execute("select count(*) from raw.filings").fetchone() == (0,)


def test_the_largest_accepted_value_sums_over_a_million_rows(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """9.9e25 万元 is accepted; 10^6 rows of it sum to 9.9e31, under DECIMAL(38, 6)'s 1e32."""
    raw = tmp_path / "raw"
    rel = filings(raw, "企业月报_2025-05.csv", "9.9e25", "830")
    assert ingest(con, raw, tmp_path / "q", "filings").ingested == [rel]
    total = con.execute(
        "select sum(filings.revenue_ytd_wan) from raw.filings, range(?) where filings.uscc = ?",
        [SUM_HEADROOM, JIA],
    ).fetchone()[0]
    assert total == 99 * 10**30


def test_a_cached_sum_with_float_noise_is_stored_rounded_not_a_failed_run(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """A district table whose R&D total is =SUM(450.1, 90.2, 30.1): Excel caches 570.4000000000001,
    13 decimals, and Arrow refused the batch, failing the run without naming the file. An amount in
    元 with 分 converts to 万元 with 6 decimals, exactly what the column keeps."""
    raw = tmp_path / "raw"
    write_xlsx(
        raw / "districts" / "万州区_2025年1-3月.xlsx",
        [
            ["万州区规模以上电子信息制造业企业主要指标"],
            ["单位：万元"],
            ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"],
            ["万州区", "2025年1-3月", 3, 51_100, 450.1 + 90.2 + 30.1],
        ],
    )
    write_csv(
        raw / "districts" / "涪陵区_2025年1-3月.csv",
        [["单位：元"], ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"],
         ["涪陵区", "2025年1-3月", 2, "123,456,789.01", "2,345,678.9"]],
    )  # fmt: skip
    report = ingest(con, raw, tmp_path / "q", "districts")
    assert report.rejected == {}
    assert con.execute(
        "select district_code, revenue_ytd_wan, rd_ytd_wan from raw.district_submissions order by 1"
    ).fetchall() == [
        ("500101", Decimal("51100"), Decimal("570.4")),
        ("500102", Decimal("12345.678901"), Decimal("234.56789")),
    ]
