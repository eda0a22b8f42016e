"""Tests for the synthetic raw folder: read back, through the ingest's own reader, the files a user gets.

The small folder is enterprises=60, months=15: 60 in-scope enterprises plus 10 % extras (6 rows:
3 out of scope, 3 below scale), periods 2022-01 + i for i < 15 without the Januaries, that is
2022-02..2022-12 and 2023-02..2023-03 = 13 periods, survey years 2022 and 2023. It is generated twice:
with the documented faults (the default) and without them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from orchestration.identity import is_valid_uscc
from orchestration.ingest.reader import ParsedFile, parse_file, read_sheets
from orchestration.ingest.values import parse_number, parse_period
from planwatch_demo import DemoSummary, generate, generator
from planwatch_demo.generator import bureau_title, demo_periods
from planwatch_demo.layouts import BUREAU_MESSY, DISTRICTS_MESSY, FILINGS_MESSY, assign_layouts
from planwatch_demo.planning import MANIFEST_COLUMNS, future_year, transposed_code, wrong_check_code
from planwatch_demo.render import cents_text, money_number, money_text, period_cell, styled

SMALL = {"enterprises": 60, "months": 15, "seed": 7}
SMALL_PERIODS = [f"2022-{m:02d}" for m in range(2, 13)] + ["2023-02", "2023-03"]
KINDS = ("filings", "districts", "bureau")
RULES = [f"DQ{n:02d}" for n in range(1, 15)]
SCOPE = set(pd.read_csv(generator.REFERENCE_DIR / "industry_scope.csv", dtype=str)["industry_code"])
SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@cache
def _threshold(rule: str, level: str) -> Decimal:
    """A rule's threshold_warn or threshold_error as the catalogue (seed dq_rule_catalogue) has it: the
    plain reading below uses the dbt rules' own numbers, so a changed threshold changes both."""
    with (SEEDS / "dq_rule_catalogue.csv").open(encoding="utf-8") as f:
        (row,) = [row for row in csv.DictReader(f) if row["rule_id"] == rule]
    return Decimal(row[f"threshold_{level}"])


@cache
def _baseline_year() -> int:
    """DQ14's first plausible year: the earliest baseline_year of the plan (var dq_baseline_year's default)."""
    return int(pd.read_csv(SEEDS / "plan_indicators.csv")["baseline_year"].min())


@cache
def _unit_powers() -> tuple[int, ...]:
    """DQ06's powers of ten (dbt var dq_unit_powers)."""
    text = (SEEDS.parent / "dbt_project.yml").read_text(encoding="utf-8")
    (powers,) = re.findall(r"^  dq_unit_powers: \[([0-9, ]+)\]$", text, re.M)
    return tuple(int(k) for k in powers.split(","))


# ---------- reading the files back


def _sha256_by_file(raw: Path) -> dict[str, str]:
    return {
        path.relative_to(raw).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(raw.rglob("*"))
        if path.is_file()
    }


@cache
def _parse(path: Path, kind: str) -> ParsedFile:
    return parse_file(path, kind)


def _rows(raw: Path, kind: str) -> pd.DataFrame:
    """Every row of every file of a kind, as the reader gives it, with the file it came from."""
    frames = []
    for path in sorted((raw / kind).iterdir()):
        frame = pd.DataFrame(_parse(path, kind).rows)
        frame["file"] = f"{kind}/{path.name}"
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    if "period" in frame:
        frame["label"] = frame["period"].map(lambda d: d.strftime("%Y-%m"))
    return frame


def _cells(raw: Path) -> list[str]:
    """The text of every non-empty cell of every file of the three monthly kinds."""
    return [
        str(cell)
        for kind in KINDS
        for path in sorted((raw / kind).iterdir())
        for sheet in read_sheets(path)
        for row in sheet.rows
        for cell in row
        if cell not in (None, "")
    ]


def _file_period(rel: str) -> str:
    return re.search(r"\d{4}-\d{2}", rel).group()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    folder = tmp_path_factory.mktemp("demo") / "raw"
    summary = generate(folder, **SMALL)
    assert summary.periods == SMALL_PERIODS
    return folder, summary


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    folder = tmp_path_factory.mktemp("clean") / "raw"
    return folder, generate(folder, **SMALL, faults=False)


@pytest.fixture(scope="module")
def raw(clean: tuple[Path, DemoSummary]) -> Path:
    return clean[0]


@pytest.fixture(scope="module")
def registry(raw: Path) -> pd.DataFrame:
    frame = _rows(raw, "registry")
    frame["in_scope"] = frame["industry_code"].isin(SCOPE) & frame["above_scale"]
    return frame


@pytest.fixture(scope="module")
def filings(raw: Path, registry: pd.DataFrame) -> pd.DataFrame:
    frame = _rows(raw, "filings").rename(columns={"district_code": "filed_district"})
    for column in ("revenue_ytd_wan", "rd_ytd_wan"):
        frame[column] = frame[column].astype(float)
    return frame.merge(
        registry[["uscc", "district_code", "industry_code", "in_scope"]],
        on="uscc",
        how="left",
        validate="many_to_one",
    )


@pytest.fixture(scope="module")
def manifest(demo: tuple[Path, DemoSummary]) -> list[dict[str, str]]:
    with (demo[0] / "demo_faults.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------- pure helpers


@pytest.mark.parametrize(
    ("months", "count", "first", "last"),
    [
        (2, 1, "2022-02", "2022-02"),
        (12, 11, "2022-02", "2022-12"),
        (13, 11, "2022-02", "2022-12"),  # the 13th month is 2023-01: no January report
        (15, 13, "2022-02", "2023-03"),
        (58, 53, "2022-02", "2026-10"),  # the default: five Januaries skipped
    ],
)
def test_demo_periods_skip_january(months: int, count: int, first: str, last: str) -> None:
    labels = [f"{year}-{month:02d}" for year, month in demo_periods(months)]
    assert (len(labels), labels[0], labels[-1]) == (count, first, last)
    assert not [label for label in labels if label.endswith("-01")]


@pytest.mark.parametrize(
    ("cents", "text"), [(12345678, "123456.78"), (5, "0.05"), (0, "0.00"), (100, "1.00"), (-250, "-2.50")]
)
def test_cents_text(cents: int, text: str) -> None:
    assert cents_text(cents) == text


@pytest.mark.parametrize(
    ("cents", "unit", "text", "number"),
    [
        (12345678, "万元", "123456.78", 123456.78),
        (12345678, "元", "1234567800", 1234567800),
        (12345678, "千元", "1234567.8", 1234567.8),
        (12345678, "亿元", "12.345678", 12.345678),
        (5, "亿元", "0.000005", 0.000005),
        (-250, "千元", "-25.0", -25.0),
    ],
)
def test_money_in_every_unit_reads_back_exactly(cents: int, unit: str, text: str, number: float) -> None:
    """123456.78 万元 = 1234567800 元 = 1234567.8 千元 = 12.345678 亿元: no rounding anywhere."""
    assert money_text(cents, unit) == text
    assert money_number(cents, unit) == number
    factor = {"万元": 1, "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": 10000}[unit]
    assert parse_number(text) * factor == Decimal(cents) / 100
    assert parse_number(money_number(cents, unit)) * factor == Decimal(cents) / 100


@pytest.mark.parametrize(
    ("text", "style", "typed"),
    [
        ("1234567.80", "thousands", "1,234,567.80"),
        ("-1234.5", "thousands", "-1,234.5"),
        ("1234.56", "fullwidth", "１２３４．５６"),
        ("1234.56", "spaces", " 1234.56  "),
        ("1234.56", "text", "1234.56"),
    ],
)
def test_styled_numbers_read_back(text: str, style: str, typed: str) -> None:
    assert styled(text, style) == typed
    assert parse_number(typed) == Decimal(text)


@pytest.mark.parametrize(
    ("style", "workbook", "cell"),
    [
        ("dash", True, "2024-10"),
        ("compact", True, 202410),
        ("compact", False, "202410"),
        ("month", False, "2024年10月"),
        ("ytd", False, "2024年1-10月"),
        ("dot", False, "2024.10"),
    ],
)
def test_period_styles_read_back(style: str, workbook: bool, cell: object) -> None:
    assert period_cell(2024, 10, style, workbook) == cell
    assert parse_period(cell) == dt.date(2024, 10, 1)


@pytest.mark.parametrize(
    ("year", "month", "title"),
    [
        (2024, 2, "2024年1-2月重庆市规模以上工业企业营业收入（分行业）"),
        (2024, 10, "2024年1-10月重庆市规模以上工业企业营业收入（分行业）"),
    ],
)
def test_bureau_title(year: int, month: int, title: str) -> None:
    assert bureau_title(year, month) == title


@pytest.mark.parametrize(("count", "places"), [(13, [0, 2, 4, 6, 8, 10, 12]), (5, [0, 1, 2, 3, 4])])
def test_messy_layouts_spread_over_the_files(count: int, places: list[int]) -> None:
    """7 messy layouts over 13 files go to every other file; with fewer files than layouts, all are messy."""
    assert sorted(assign_layouts(count, FILINGS_MESSY)) == places


def test_fault_helpers() -> None:
    """The three typos the faults use: a swapped pair of digits fails the GB 32100 check, as does a
    wrong check character; 2023 typed as 2032 is in the future."""
    code = "915000007339743120"
    assert is_valid_uscc(code)
    assert transposed_code(code) == "915000003739743120"
    assert not is_valid_uscc(transposed_code(code))
    assert wrong_check_code(code) == "915000007339743121" and not is_valid_uscc(wrong_check_code(code))
    assert (future_year(2023), future_year(2026), future_year(2022)) == (2032, 2062, 2032)


@pytest.mark.parametrize("months", [0, 1])
def test_generate_rejects_no_periods(tmp_path: Path, months: int) -> None:
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, enterprises=5, months=months)


# ---------- the folder and its layouts


def test_file_counts_per_folder(demo: tuple[Path, DemoSummary], raw: Path) -> None:
    """1 registry, 13 filings (+1 second filing for one month with faults), 2 surveys, 13 districts,
    13 bureau; the fault manifest sits beside the kind folders, not in them."""
    folder, summary = demo
    names = {kind: sorted(p.name for p in (folder / kind).iterdir()) for kind in generator.KIND_FOLDERS}
    assert {kind: len(files) for kind, files in names.items()} == {
        "registry": 1,
        "filings": 14,
        "surveys": 2,
        "districts": 13,
        "bureau": 13,
    }
    assert summary.files["filings"] == 14 and len(list((raw / "filings").iterdir())) == 13
    assert names["registry"] == ["企业名录_2023-03.xlsx"]
    assert names["surveys"] == ["数字化调查_2022.xlsx", "数字化调查_2023.xlsx"]
    assert [name for name in names["filings"] if "补报" in name] == ["企业月报_2022-04_补报.xlsx"]
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["demo_faults.csv"]
    assert not (raw / "demo_faults.csv").exists()
    for kind in KINDS:
        assert {_file_period(name) for name in names[kind]} == set(SMALL_PERIODS)


def test_every_layout_variant_is_in_the_small_run(demo: tuple[Path, DemoSummary]) -> None:
    folder, summary = demo
    used = set(summary.layouts.values())
    assert {layout.name for layout in (*FILINGS_MESSY, *DISTRICTS_MESSY, *BUREAU_MESSY)} <= used
    suffixes = {Path(rel).suffix for rel in summary.layouts}
    assert suffixes == {".xlsx", ".xls", ".csv"}
    for rel in summary.layouts:
        if rel.endswith(".xls"):  # real BIFF8: an OLE2 compound file, not renamed xlsx or html
            assert (folder / rel).read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    cells = _cells(folder)
    texts = set(cells)
    assert {"单位：万元", "单位：千元", "单位：元", "单位：亿元"} <= texts
    assert {
        "营业收入本年累计（千元）",
        "研发费用本年累计（千元）",
        "营业收入",
        "本年累计",
        "同比增长(%)",
    } <= texts
    assert {"uscc", "period", "revenue_ytd", "rd_ytd", "enterprise_count", "industry", "yoy_pct"} <= texts
    assert {"备注", "填报人", "合计", "C39", "5001A1", "两江", "两江新区", "西部科学城重庆高新区"} <= texts
    assert {"—", "-", "…", "/"} <= texts
    assert any(text.startswith("注：") for text in texts) and any(text.startswith("说明：") for text in texts)
    assert any(re.fullmatch(r"20\d{2}年1-\d{1,2}月.*月报", text) for text in texts)  # a title row
    for pattern in (r"2022-07", r"2022\d{2}(\.0)?", r"2022年\d{1,2}月", r"2022年1-\d{1,2}月", r"2022\.\d{2}"):
        assert any(re.fullmatch(pattern, text) for text in texts), pattern
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", text) for text in texts)  # thousands separators
    assert any(re.fullmatch(r"[０-９]+．[０-９]+", text) for text in texts)  # full-width digits
    assert any(re.fullmatch(r" \d+\.\d{2}  ", text) for text in texts)  # surrounding spaces
    assert any(re.fullmatch(r"\d+\.\d{6}", text) for text in texts)  # 亿元 with six decimals, as text


def test_two_row_headers_are_merged_cells(demo: tuple[Path, DemoSummary]) -> None:
    folder, summary = demo
    (rel,) = [rel for rel, name in summary.layouts.items() if name == "xlsx_two_row_header_yuan"]
    sheet = openpyxl.load_workbook(folder / rel).active
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:D4",
        "E3:F3",
        "H3:H4",
    }
    assert [cell.value for cell in sheet[3]] == [
        "统一社会信用代码",
        "企业名称",
        "区县",
        "报告期",
        "营业收入",
        None,
        "研发费用",
        "从业人员",
    ]
    assert [cell.value for cell in sheet[4]][4:7] == ["本年累计", "同比增长(%)", "本年累计"]


def test_csv_encodings_are_mixed(demo: tuple[Path, DemoSummary]) -> None:
    folder, _ = demo
    encodings = set()
    for path in folder.glob("*/*.csv"):
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            encodings.add("utf-8-sig")
            continue
        try:
            data.decode("utf-8")
            encodings.add("utf-8")
        except UnicodeDecodeError:
            data.decode("gb18030")
            encodings.add("gb18030")
    assert encodings == {"utf-8", "utf-8-sig", "gb18030"}


def test_every_file_reads_back_to_the_generators_numbers(demo: tuple[Path, DemoSummary]) -> None:
    """Each monthly file, whatever its layout, parses to the rows and money (to the cent of 万元) the
    generator wrote, faults included."""
    folder, summary = demo
    assert len(summary.file_totals) == 14 + 13 + 13
    for rel, (rows, revenue, rd) in summary.file_totals.items():
        parsed = _parse(folder / rel, rel.split("/")[0])
        got = (
            len(parsed.rows),
            sum(row["revenue_ytd_wan"] for row in parsed.rows),
            sum(row.get("rd_ytd_wan") or 0 for row in parsed.rows),
        )
        assert got == (rows, Decimal(revenue) / 100, Decimal(rd) / 100), (rel, summary.layouts[rel])


def test_messy_layouts_lose_nothing(clean: tuple[Path, DemoSummary]) -> None:
    """Without faults, the money parsed from every file of a kind, per period, is the generator's own
    clean total: no row, unit or digit is lost to a title line, a unit line, a 合计 line or a note."""
    folder, summary = clean
    for kind in KINDS:
        parsed: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for path in sorted((folder / kind).iterdir()):
            for row in _parse(path, kind).rows:
                totals = parsed[row["period"].strftime("%Y-%m")]
                totals[0] += row["revenue_ytd_wan"]
                totals[1] += row.get("rd_ytd_wan") or 0
        expected = {
            label: [Decimal(revenue) / 100, Decimal(rd) / 100]
            for label, (revenue, rd) in summary.clean_totals[kind].items()
        }
        assert dict(parsed) == expected, kind
    assert sum(name != "clean" and not name.startswith("clean_") for name in summary.layouts.values()) == 15


def test_same_arguments_give_identical_bytes(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    folder, _ = demo
    again = tmp_path / "again"
    generate(again, **SMALL)
    first, second = _sha256_by_file(folder), _sha256_by_file(again)
    assert len(first) == 1 + 14 + 2 + 13 + 13 + 1
    assert first == second


def test_faults_are_laid_on_top(demo: tuple[Path, DemoSummary], clean: tuple[Path, DemoSummary]) -> None:
    """Without faults the same files are written, byte for byte, except where a fault is."""
    with_faults, without = _sha256_by_file(demo[0]), _sha256_by_file(clean[0])
    changed = {rel for rel in without if with_faults[rel] != without[rel]}
    with (demo[0] / "demo_faults.csv").open(encoding="utf-8") as handle:
        faults = list(csv.DictReader(handle))
    named = {fault["file"] for fault in faults}
    periods = {fault["period"] for fault in faults}
    # a district adds up what its enterprises filed: a fault in a filing can change its submission too
    assert all(rel.startswith("districts/") and _file_period(rel) in periods for rel in changed - named)
    assert len(changed) < len(without) / 2
    assert set(with_faults) - set(without) == {"demo_faults.csv", "filings/企业月报_2022-04_补报.xlsx"}


def test_another_seed_gives_other_data(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    generate(tmp_path / "other", **{**SMALL, "seed": 8})
    assert (
        _sha256_by_file(demo[0])["registry/企业名录_2023-03.xlsx"]
        != _sha256_by_file(tmp_path / "other")["registry/企业名录_2023-03.xlsx"]
    )


# ---------- the clean data


def test_registry_codes_valid_unique_and_scope_rows(registry: pd.DataFrame) -> None:
    """60 in scope + 3 out-of-scope classes + 3 below scale = 66 rows, every code valid and unique."""
    assert len(registry) == 66
    assert registry["uscc"].map(is_valid_uscc).all()
    assert registry["uscc"].is_unique and registry["enterprise_name"].is_unique
    assert registry["uscc"].str[:5].eq("91500").all()
    assert int(registry["in_scope"].sum()) == 60
    assert int((~registry["industry_code"].isin(SCOPE)).sum()) == 3
    assert int((~registry["above_scale"]).sum()) == 3
    assert registry["district_code"].notna().all()


def test_registry_district_and_chain_columns_are_mixed(registry: pd.DataFrame) -> None:
    units = pd.read_csv(generator.REFERENCE_DIR / "reporting_units.csv", dtype=str)
    forms = registry["district_raw"]
    assert forms.isin(units["district_code"]).any()
    assert forms.isin(units["district_name"]).any()
    assert (forms.isin(units["short_name"]) & ~forms.isin(units["district_name"])).any()
    given = registry["chain_raw"].dropna()
    assert 0 < len(given) < len(registry) * 0.3
    assert registry.loc[given.index, "chain_code"].notna().all()


def test_every_enterprise_files_every_period(filings: pd.DataFrame) -> None:
    assert len(filings) == 66 * 13
    assert sorted(filings["label"].unique()) == SMALL_PERIODS
    assert filings["district_code"].notna().all()
    assert (filings["filed_district"] == filings["district_code"]).all()
    assert not filings.duplicated(["uscc", "period"]).any()
    assert filings["uscc"].map(is_valid_uscc).all()


def test_ytd_never_falls_within_a_year(filings: pd.DataFrame) -> None:
    frame = filings.assign(year=filings["label"].str[:4]).sort_values(["uscc", "period"])
    for column in ("revenue_ytd_wan", "rd_ytd_wan"):
        steps = frame.dropna(subset=[column]).groupby(["uscc", "year"])[column].diff().dropna()
        assert len(steps) > 500
        assert steps.min() >= 0, column


def test_rd_share_missing_and_zero(filings: pd.DataFrame) -> None:
    """R&D is about 1.5 % of revenue; one enterprise never reports it, one reports zero every month."""
    in_scope = filings[filings["in_scope"]]
    share = in_scope["rd_ytd_wan"].sum() / in_scope["revenue_ytd_wan"].sum()
    assert 0.005 < share < 0.04
    missing = in_scope.groupby("uscc")["rd_ytd_wan"].apply(lambda s: s.isna().sum())
    assert sorted(missing[missing > 0].tolist()) == [13]  # missing every month, never some months only
    assert (in_scope["rd_ytd_wan"] == 0).any()
    assert (filings["rd_ytd_wan"].fillna(0) <= filings["revenue_ytd_wan"]).all()


def test_revenue_is_concentrated_and_below_scale_is_small(filings: pd.DataFrame) -> None:
    december = filings[filings["label"] == "2022-12"]
    in_scope = december[december["in_scope"]].sort_values("revenue_ytd_wan", ascending=False)
    top = in_scope["revenue_ytd_wan"].head(6)
    assert top.sum() / in_scope["revenue_ytd_wan"].sum() > 0.8
    assert in_scope.head(6)["industry_code"].isin(["3911", "3922"]).all()
    assert top.min() > 2_000_000  # each assembler above 200 亿元 a year
    below = december[december["in_scope"].eq(False) & december["industry_code"].isin(SCOPE)]
    assert len(below) == 3 and below["revenue_ytd_wan"].max() < 2_000


def test_district_submissions_equal_filing_sums(raw: Path, filings: pd.DataFrame) -> None:
    submitted = _rows(raw, "districts")
    expected = (
        filings[filings["in_scope"]]
        .assign(rd=lambda f: f["rd_ytd_wan"].fillna(0))
        .groupby(["district_code", "label"])
        .agg(count=("uscc", "size"), revenue=("revenue_ytd_wan", "sum"), rd=("rd", "sum"))
        .reset_index()
    )
    joined = submitted.merge(expected, on=["district_code", "label"], how="outer", indicator=True)
    assert (joined["_merge"] == "both").all()
    assert len(joined) == expected["district_code"].nunique() * 13
    assert (joined["enterprise_count"] == joined["count"]).all()
    assert (joined["revenue_ytd_wan"].astype(float) - joined["revenue"]).abs().max() < 0.005
    assert (joined["rd_ytd_wan"].astype(float) - joined["rd"]).abs().max() < 0.005


def test_bureau_tables(raw: Path, filings: pd.DataFrame) -> None:
    def rows(period: str) -> list[tuple]:
        workbook = openpyxl.load_workbook(raw / "bureau" / f"统计局月报_{period}.xlsx")
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]

    feb_2022, feb_2023 = rows("2022-02"), rows("2023-02")  # both clean layouts
    assert feb_2022[0][0] == "2022年1-2月重庆市规模以上工业企业营业收入（分行业）"
    assert feb_2022[1][0] == "单位：万元"
    assert feb_2022[2] == ("行业", "营业收入本年累计", "同比增长(%)")
    assert [row[0] for row in feb_2022[3:]] == [
        "计算机、通信和其他电子设备制造业",
        "电气机械和器材制造业",
        "仪器仪表制造业",
    ]
    assert [row[2] for row in feb_2022[3:]] == [None, None, None]
    for old, new in zip(feb_2022[3:], feb_2023[3:], strict=True):
        assert new[2] == round((new[1] / old[1] - 1) * 100, 1)
    bureau = _rows(raw, "bureau")
    assert len(bureau) == 3 * 13 and set(bureau["industry_code"]) == {"39", "38", "40"}
    division_39 = filings[filings["in_scope"] & filings["industry_code"].str.startswith("39")]
    for period in SMALL_PERIODS:
        filed = division_39.loc[division_39["label"] == period, "revenue_ytd_wan"].sum()
        published = bureau.loc[
            (bureau["label"] == period) & (bureau["industry_code"] == "39"), "revenue_ytd_wan"
        ]
        assert abs(float(published.item()) / filed - 1) <= 0.01, period


def test_digitalization_only_goes_forward(raw: Path, registry: pd.DataFrame) -> None:
    processes = ["design", "production", "management", "sales"]
    surveys = _rows(raw, "surveys")
    years = [surveys[surveys["survey_year"] == year] for year in (2022, 2023)]
    in_scope = set(registry.loc[registry["in_scope"], "uscc"])
    assert 0.75 * 60 <= years[0]["uscc"].isin(in_scope).sum() <= 60
    both = years[0].merge(years[1], on="uscc", suffixes=("_a", "_b"))
    assert len(both) > 30
    for process in processes:
        assert not (both[f"{process}_a"] & ~both[f"{process}_b"]).any(), process
    assert set(years[0][processes].stack()) == {True, False}


def test_default_size_calibration(tmp_path: Path) -> None:
    """Default 800 enterprises over 2022-2023: 2022 in-scope revenue 6,500-7,500 亿元, growth 3-5 %."""
    summary = generate(tmp_path / "raw", months=24)
    assert (summary.in_scope, summary.out_of_scope, summary.below_scale) == (800, 40, 40)
    assert len(summary.periods) == 22
    revenue_2022, revenue_2023 = summary.revenue_ytd_yi["2022-12"], summary.revenue_ytd_yi["2023-12"]
    assert 6_500 <= revenue_2022 <= 7_500
    assert 0.03 <= revenue_2023 / revenue_2022 - 1 <= 0.05
    assert "500229" not in summary.active_units  # 城口县: a remote county with no enterprise
    assert {"5001A1", "5001A2", "500106"} <= set(summary.active_units)
    assert summary.faults == 18
    assert {layout.name for layout in (*FILINGS_MESSY, *DISTRICTS_MESSY, *BUREAU_MESSY)} <= set(
        summary.layouts.values()
    )


# ---------- the fault manifest


def test_manifest_covers_every_rule(demo: tuple[Path, DemoSummary], manifest: list[dict[str, str]]) -> None:
    assert list(manifest[0]) == list(MANIFEST_COLUMNS)
    assert demo[1].faults == len(manifest) == 18
    assert [fault["fault_id"] for fault in manifest] == [f"F{n:02d}" for n in range(1, 19)]
    assert sorted({fault["rule_id"] for fault in manifest}) == RULES
    catalogue = pd.read_csv(generator.REFERENCE_DIR / "dq_rule_catalogue.csv", dtype=str)
    severities = dict(zip(catalogue["rule_id"], catalogue["severity"], strict=True))
    for fault in manifest:
        assert fault["severity"] in severities[fault["rule_id"]].split("/"), fault["fault_id"]
        assert fault["description"]
        pairs = [pair.split("|") for pair in filter(None, fault["affects"].split(";"))]
        assert all(
            re.fullmatch(r"500\d{3}|5001A\d", c) and re.fullmatch(r"(\d{4}-\d{2})?", p) for c, p in pairs
        )
        if fault["severity"] == "error":  # an error fault's own district-period is among those it affects
            assert [fault["district_code"], fault["period"]] in pairs, fault["fault_id"]
    by_rule = {fault["rule_id"]: fault for fault in manifest}
    assert by_rule["DQ12"]["district_code"] == "" and by_rule["DQ12"]["affects"] == ""
    registry_fault = next(f for f in manifest if f["file"].startswith("registry/"))
    assert (registry_fault["rule_id"], registry_fault["period"]) == ("DQ09", "")


def test_manifest_rows_hold_the_faults(
    demo: tuple[Path, DemoSummary], clean: tuple[Path, DemoSummary], manifest: list[dict[str, str]]
) -> None:
    """Every fault points at a real file of a kind folder; where it names a row, that row (as the
    reader numbers it) holds what the description says, compared with the same file without faults."""
    folder = demo[0]

    def row(fault: dict[str, str]) -> dict:
        kind = fault["file"].split("/")[0]
        (found,) = [
            r for r in _parse(folder / fault["file"], kind).rows if r["source_row"] == int(fault["row"])
        ]
        return found

    def twin(fault: dict[str, str], key: str, value: object) -> dict:
        """The same enterprise or district in the same file without faults."""
        kind = fault["file"].split("/")[0]
        rows = _parse(clean[0] / fault["file"], kind).rows
        (found,) = [r for r in rows if r[key] == value]
        return found

    for fault in manifest:
        assert (folder / fault["file"]).is_file(), fault
        assert fault["file"].split("/")[0] in generator.KIND_FOLDERS
        rule, district = fault["rule_id"], fault["district_code"]
        if not fault["row"]:
            assert rule in ("DQ01", "DQ10"), fault
            if rule == "DQ01":
                rows = _parse(folder / fault["file"], "districts").rows
                assert district not in {r["district_code"] for r in rows}
            continue
        got = row(fault)
        if rule in ("DQ02", "DQ03", "DQ06", "DQ13") and fault["file"].startswith("districts/"):
            assert got["district_code"] == district
            before = twin(fault, "district_code", district)
            if rule == "DQ02":
                assert abs(got["revenue_ytd_wan"] / before["revenue_ytd_wan"] - Decimal("1.05")) < Decimal(
                    "1e-6"
                )
            elif rule == "DQ03":
                assert got["enterprise_count"] == before["enterprise_count"] + 1
            elif rule == "DQ06":
                assert got["revenue_ytd_wan"] == 10_000 * before["revenue_ytd_wan"]
            else:
                assert got["revenue_ytd_wan"] < before["revenue_ytd_wan"]
        elif rule == "DQ12":
            assert got["industry_code"] == "39"
            before = twin(fault, "industry_code", "39")
            assert abs(got["revenue_ytd_wan"] / before["revenue_ytd_wan"] - Decimal("1.05")) < Decimal("1e-6")
        elif fault["file"].startswith("registry/"):
            assert not is_valid_uscc(got["uscc"]) and got["district_code"] == district
        else:
            period = got["period"].strftime("%Y-%m")
            assert period == fault["period"], fault
            if rule == "DQ04":
                assert got["revenue_ytd_wan"] < twin(fault, "uscc", got["uscc"])["revenue_ytd_wan"]
            elif rule == "DQ05":
                assert got["revenue_ytd_wan"] >= 2 * twin(fault, "uscc", got["uscc"])["revenue_ytd_wan"]
            elif rule == "DQ06":
                assert got["revenue_ytd_wan"] == 10 * twin(fault, "uscc", got["uscc"])["revenue_ytd_wan"]
            elif rule == "DQ07":
                assert got["rd_ytd_wan"] < 0
            elif rule == "DQ08":
                stem = Path(fault["file"]).name.removesuffix("_补报.xlsx")
                (main,) = (folder / "filings").glob(f"{stem}.*")
                (same,) = [r for r in _parse(main, "filings").rows if r["uscc"] == got["uscc"]]
                assert same["period"] == got["period"] and same["revenue_ytd_wan"] != got["revenue_ytd_wan"]
            elif rule == "DQ09":
                assert not is_valid_uscc(got["uscc"])
            elif rule == "DQ10":
                assert got["uscc"] not in {r["uscc"] for r in _rows(folder, "registry").to_dict("records")}
            elif rule == "DQ11":
                assert got["district_code"] != district
            elif rule == "DQ14":
                assert got["period"].year < 2022 or got["period"].year > 2030


# ---------- the faults against a plain reading of the rule catalogue


def _near_power_of_ten(ratio: float) -> bool:
    """DQ06: within the rule's threshold of 10^k or 10^-k, k of var dq_unit_powers."""
    tolerance = float(_threshold("DQ06", "error"))
    return ratio > 0 and any(abs(ratio / 10.0**s - 1) <= tolerance for k in _unit_powers() for s in (k, -k))


def _months_back(period: dt.date, back: int) -> dt.date | None:
    """The period `back` months earlier in the same year (year-to-date figures restart in January)."""
    return dt.date(period.year, period.month - back, 1) if period.month > back else None


def _findings(raw: Path) -> set[tuple[str, str, str, str]]:
    """(rule, severity, district, period) of every finding of docs/rules.md read plainly, at every level
    the catalogue names: filings, district submissions, and district sums of the filings."""
    today = dt.date.today()
    found: set[tuple[str, str, str, str]] = set()

    def add(rule: str, severity: str, district: str | None, period: dt.date | None) -> None:
        found.add((rule, severity, district or "", period.strftime("%Y-%m") if period else ""))

    registry = {row["uscc"]: row for row in _rows(raw, "registry").to_dict("records")}
    for row in registry.values():
        if not is_valid_uscc(row["uscc"]):
            add("DQ09", "error", row["district_code"], None)
    in_scope = {u: r for u, r in registry.items() if r["industry_code"] in SCOPE and r["above_scale"]}
    filed: dict[tuple[str, dt.date], list[dict]] = defaultdict(list)
    for row in _rows(raw, "filings").to_dict("records"):
        filed[(row["uscc"], row["period"])].append(row)
    series: dict[tuple[str, str, str], dict[dt.date, tuple]] = defaultdict(dict)  # (level, who, district)
    sums: dict[tuple[str, dt.date], list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for (uscc, period), rows in filed.items():
        row = rows[-1]
        district = registry[uscc]["district_code"] if uscc in registry else row["district_code"]
        revenue, rd = row["revenue_ytd_wan"], row["rd_ytd_wan"]
        if len({(r["revenue_ytd_wan"], r["rd_ytd_wan"]) for r in rows}) > 1:
            add("DQ08", "error", district, period)
        if not is_valid_uscc(uscc):
            add("DQ09", "error", district, period)
        if uscc not in registry:
            add("DQ10", "warn", district, period)
        elif row["district_code"] != district:
            add("DQ11", "warn", district, period)
        if period.year < _baseline_year() or period > today:
            add("DQ14", "error", district, period)
        if revenue < 0 or (rd is not None and (rd < 0 or rd > revenue)):
            add("DQ07", "error", district, period)
        series[("filing", uscc, district)][period] = (revenue, rd)
        if uscc in in_scope:
            total = sums[(district, period)]
            total[0] += revenue
            total[1] += rd or 0
            total[2] += 1
    periods = {period for _, period in filed}
    submitted = {(r["district_code"], r["period"]): r for r in _rows(raw, "districts").to_dict("records")}
    for district in {r["district_code"] for r in in_scope.values()}:
        for period in periods:
            if (district, period) not in submitted:
                add("DQ01", "error", district, period)
    for (district, period), row in submitted.items():
        revenue, rd, count = sums.get((district, period), (Decimal(0), Decimal(0), 0))
        if abs(row["revenue_ytd_wan"] - revenue) > _threshold("DQ02", "error") * abs(revenue):
            add("DQ02", "error", district, period)
        if row["enterprise_count"] != count:
            add("DQ03", "warn", district, period)
        if row["revenue_ytd_wan"] < 0 or not 0 <= row["rd_ytd_wan"] <= row["revenue_ytd_wan"]:
            add("DQ07", "error", district, period)
        before = (
            submitted.get((district, dt.date(period.year, period.month - 1, 1))) if period.month > 1 else None
        )
        fields = ("enterprise_count", "revenue_ytd_wan", "rd_ytd_wan")
        if before and all(before[f] == row[f] for f in fields):
            add("DQ13", "warn", district, period)
        series[("submission", district, district)][period] = (row["revenue_ytd_wan"], row["rd_ytd_wan"])
    for (district, period), (revenue, rd, _) in sums.items():
        series[("sum", district, district)][period] = (revenue, rd)
    for (_, _, district), points in series.items():
        for period, values in points.items():
            ago = points.get(dt.date(period.year - 1, period.month, 1))
            for i, value in enumerate(values):
                before = points.get(_months_back(period, 1), (None, None))[i]
                if value is None:
                    continue
                if before is not None and before > 0 and value < before * (1 - _threshold("DQ04", "error")):
                    add("DQ04", "error", district, period)
                if ago is not None and ago[i]:
                    ratio = float(value / ago[i])
                    if _near_power_of_ten(ratio):
                        add("DQ06", "error", district, period)
                    if i == 0 and abs(ratio - 1) > float(_threshold("DQ05", "warn")):
                        severity = "error" if abs(ratio - 1) > float(_threshold("DQ05", "error")) else "warn"
                        add("DQ05", severity, district, period)
                elif (
                    before is not None
                    and (earlier := points.get(_months_back(period, 2), (None, None))[i]) is not None
                ):
                    step, previous_step = value - before, before - earlier
                    if step > 0 and previous_step > 0 and _near_power_of_ten(float(step / previous_step)):
                        add("DQ06", "error", district, period)
    division_39: dict[dt.date, Decimal] = defaultdict(Decimal)
    for (uscc, period), rows in filed.items():
        if uscc in in_scope and in_scope[uscc]["industry_code"].startswith("39"):
            division_39[period] += rows[-1]["revenue_ytd_wan"]
    for row in _rows(raw, "bureau").to_dict("records"):
        filed_39 = division_39.get(row["period"])
        if (
            row["industry_code"] == "39"
            and filed_39
            and abs(row["revenue_ytd_wan"] / filed_39 - 1) > _threshold("DQ12", "warn")
        ):
            add("DQ12", "warn", None, row["period"])
    for uscc, row in in_scope.items():
        for period in periods:
            if (uscc, period) not in filed:
                add("DQ10", "warn", row["district_code"], period)
    return found


def test_clean_data_has_no_error_finding(clean: tuple[Path, DemoSummary]) -> None:
    assert not [finding for finding in _findings(clean[0]) if finding[1] == "error"]


def test_faults_are_found_where_the_manifest_says_and_nowhere_else(
    demo: tuple[Path, DemoSummary], manifest: list[dict[str, str]]
) -> None:
    """Each fault's rule fires on its district and period; every error lies on a district-period that
    some fault's `affects` lists."""
    found = _findings(demo[0])
    for fault in manifest:
        key = (fault["rule_id"], fault["severity"], fault["district_code"], fault["period"])
        assert key in found, fault["fault_id"]
    affected = {
        tuple(pair.split("|")) for fault in manifest for pair in filter(None, fault["affects"].split(";"))
    }
    assert not sorted(f for f in found if f[1] == "error" and f[2:] not in affected)
    assert {f[0] for f in found} == set(RULES)
