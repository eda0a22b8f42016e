"""Tests for the synthetic raw folder: read back the files a user would get and check their numbers.

The small folder is enterprises=60, months=15: 60 in-scope enterprises plus 10 % extras (6 rows:
3 out of scope, 3 below scale), periods 2022-01 + i for i < 15 without the Januaries, that is
2022-02..2022-12 and 2023-02..2023-03 = 13 periods, survey years 2022 and 2023.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from orchestration.demo import generate, generator
from orchestration.demo.generator import bureau_title, cents_text, demo_periods
from orchestration.identity import is_valid_uscc

SMALL = {"enterprises": 60, "months": 15, "seed": 7}
SMALL_PERIODS = [f"2022-{m:02d}" for m in range(2, 13)] + ["2023-02", "2023-03"]
MONEY = ["营业收入本年累计", "研发费用本年累计"]


# ---------- reading the files back


def _read_text_csv(path: Path) -> tuple[pd.DataFrame, str]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "gb18030"
    return pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False), encoding


def _read_filings(raw: Path) -> pd.DataFrame:
    frames = []
    for path in sorted((raw / "filings").iterdir()):
        if path.suffix == ".csv":
            frame, _ = _read_text_csv(path)
            frame[MONEY] = frame[MONEY].replace("", None).astype(float)
        else:
            frame = pd.read_excel(path, engine="openpyxl", dtype={"统一社会信用代码": str, "报告期": str})
        frame["file"] = path.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _read_registry(raw: Path) -> pd.DataFrame:
    (path,) = (raw / "registry").iterdir()
    registry = pd.read_excel(path, engine="openpyxl", dtype=str)
    units = pd.read_csv(generator.REFERENCE_DIR / "reporting_units.csv", dtype=str)
    to_code = {}
    for row in units.itertuples():
        to_code.update(
            {
                row.district_code: row.district_code,
                row.district_name: row.district_code,
                row.short_name: row.district_code,
            }
        )
    scope = set(pd.read_csv(generator.REFERENCE_DIR / "industry_scope.csv", dtype=str)["industry_code"])
    registry["district_code"] = registry["区县"].map(to_code)
    registry["in_scope"] = registry["行业代码"].isin(scope) & (registry["规模以上"] == "是")
    return registry


def _sha256_by_file(raw: Path) -> dict[str, str]:
    return {
        str(path.relative_to(raw)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(raw.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "raw"
    summary = generate(folder, **SMALL)
    assert summary.periods == SMALL_PERIODS
    return folder


@pytest.fixture(scope="module")
def registry(raw: Path) -> pd.DataFrame:
    return _read_registry(raw)


@pytest.fixture(scope="module")
def filings(raw: Path, registry: pd.DataFrame) -> pd.DataFrame:
    frame = _read_filings(raw)
    return frame.merge(
        registry[["统一社会信用代码", "district_code", "行业代码", "in_scope"]],
        on="统一社会信用代码",
        how="left",
        validate="many_to_one",
    )


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
    ("year", "month", "title"),
    [
        (2024, 2, "2024年1-2月重庆市规模以上工业企业营业收入（分行业）"),
        (2024, 10, "2024年1-10月重庆市规模以上工业企业营业收入（分行业）"),
    ],
)
def test_bureau_title(year: int, month: int, title: str) -> None:
    assert bureau_title(year, month) == title


@pytest.mark.parametrize("months", [0, 1])
def test_generate_rejects_no_periods(tmp_path: Path, months: int) -> None:
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, enterprises=5, months=months)


# ---------- the folder


def test_file_counts_per_folder(raw: Path) -> None:
    """1 registry, 13 filings (7 xlsx for even months, 6 csv), 2 surveys, 13 districts, 13 bureau."""
    names = {folder: sorted(p.name for p in (raw / folder).iterdir()) for folder in generator.KIND_FOLDERS}
    assert {folder: len(files) for folder, files in names.items()} == {
        "registry": 1,
        "filings": 13,
        "surveys": 2,
        "districts": 13,
        "bureau": 13,
    }
    assert names["registry"] == ["企业名录_2023-03.xlsx"]
    assert names["surveys"] == ["数字化调查_2022.xlsx", "数字化调查_2023.xlsx"]
    assert names["districts"][0] == "区县报送_2022-02.xlsx"
    assert names["bureau"][-1] == "统计局月报_2023-03.xlsx"
    suffixes = [name.rsplit(".", 1)[1] for name in names["filings"]]
    assert (suffixes.count("xlsx"), suffixes.count("csv")) == (7, 6)
    assert "企业月报_2022-02.xlsx" in names["filings"] and "企业月报_2022-03.csv" in names["filings"]
    assert not [name for folder in names.values() for name in folder if "-01." in name]


def test_csv_encodings_are_mixed(raw: Path) -> None:
    encodings = {path.name: _read_text_csv(path)[1] for path in sorted((raw / "filings").glob("*.csv"))}
    assert encodings["企业月报_2022-03.csv"] == "utf-8"
    assert encodings["企业月报_2022-05.csv"] == "gb18030"
    assert encodings["企业月报_2022-07.csv"] == "utf-8-sig"
    with (raw / "filings" / "企业月报_2022-05.csv").open(encoding="gb18030", newline="") as handle:
        assert next(csv.reader(handle)) == [
            "统一社会信用代码",
            "企业名称",
            "区县",
            "报告期",
            "营业收入本年累计",
            "研发费用本年累计",
            "从业人员",
        ]


def test_same_arguments_give_identical_bytes(raw: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, **SMALL)
    first, second = _sha256_by_file(raw), _sha256_by_file(again)
    assert len(first) == 1 + 13 + 2 + 13 + 13
    assert first == second


def test_another_seed_gives_other_data(raw: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", **{**SMALL, "seed": 8})
    assert (
        _sha256_by_file(raw)["registry/企业名录_2023-03.xlsx"]
        != _sha256_by_file(tmp_path / "other")["registry/企业名录_2023-03.xlsx"]
    )


def test_registry_codes_valid_unique_and_scope_rows(registry: pd.DataFrame) -> None:
    """60 in scope + 3 out-of-scope classes + 3 below scale = 66 rows, every code valid and unique."""
    assert list(registry.columns[:6]) == [
        "统一社会信用代码",
        "企业名称",
        "区县",
        "行业代码",
        "产业链",
        "规模以上",
    ]
    assert len(registry) == 66
    assert registry["统一社会信用代码"].map(is_valid_uscc).all()
    assert registry["统一社会信用代码"].is_unique
    assert registry["企业名称"].is_unique
    assert registry["统一社会信用代码"].str[:2].eq("91").all()
    assert registry["统一社会信用代码"].str[2:5].eq("500").all()
    assert int(registry["in_scope"].sum()) == 60
    scope = set(pd.read_csv(generator.REFERENCE_DIR / "industry_scope.csv", dtype=str)["industry_code"])
    assert int((~registry["行业代码"].isin(scope)).sum()) == 3
    assert int((registry["规模以上"] == "否").sum()) == 3
    assert registry["district_code"].notna().all()


def test_registry_district_and_chain_columns_are_mixed(registry: pd.DataFrame) -> None:
    units = pd.read_csv(generator.REFERENCE_DIR / "reporting_units.csv", dtype=str)
    forms = registry["区县"]
    assert forms.isin(units["district_code"]).any()
    assert forms.isin(units["district_name"]).any()
    assert (forms.isin(units["short_name"]) & ~forms.isin(units["district_name"])).any()
    chains = pd.read_csv(generator.REFERENCE_DIR / "chains.csv", dtype=str)
    given = registry["产业链"].dropna()
    assert 0 < len(given) < len(registry) * 0.3
    assert given.isin(set(chains["chain_code"]) | set(chains["chain_name_zh"])).all()


def test_every_enterprise_files_every_period(filings: pd.DataFrame, registry: pd.DataFrame) -> None:
    assert len(filings) == 66 * 13
    assert sorted(filings["报告期"].unique()) == SMALL_PERIODS
    assert filings["district_code"].notna().all()
    assert not filings.duplicated(["统一社会信用代码", "报告期"]).any()
    assert filings["统一社会信用代码"].map(is_valid_uscc).all()


def test_ytd_never_falls_within_a_year(filings: pd.DataFrame) -> None:
    frame = filings.assign(year=filings["报告期"].str[:4]).sort_values(["统一社会信用代码", "报告期"])
    for column in MONEY:
        steps = frame.dropna(subset=[column]).groupby(["统一社会信用代码", "year"])[column].diff().dropna()
        assert len(steps) > 500
        assert steps.min() >= 0, column


def test_rd_share_missing_and_zero(filings: pd.DataFrame) -> None:
    in_scope = filings[filings["in_scope"]]
    share = in_scope["研发费用本年累计"].sum() / in_scope["营业收入本年累计"].sum()
    assert 0.005 < share < 0.04
    assert in_scope["研发费用本年累计"].isna().any()
    assert (in_scope["研发费用本年累计"] == 0).any()
    assert (filings["研发费用本年累计"].fillna(0) <= filings["营业收入本年累计"]).all()


def test_revenue_is_concentrated_and_below_scale_is_small(
    filings: pd.DataFrame, registry: pd.DataFrame
) -> None:
    december = filings[filings["报告期"] == "2022-12"]
    in_scope = december[december["in_scope"]].sort_values("营业收入本年累计", ascending=False)
    top = in_scope["营业收入本年累计"].head(6)
    assert top.sum() / in_scope["营业收入本年累计"].sum() > 0.8
    assert in_scope.head(6)["行业代码"].isin(["3911", "3922"]).all()
    assert top.min() > 2_000_000  # each assembler above 200 亿元 a year
    below = set(registry.loc[registry["规模以上"] == "否", "统一社会信用代码"])
    assert december.loc[december["统一社会信用代码"].isin(below), "营业收入本年累计"].max() < 2_000


def test_district_submissions_equal_filing_sums(raw: Path, filings: pd.DataFrame) -> None:
    units = pd.read_csv(generator.REFERENCE_DIR / "reporting_units.csv", dtype=str)
    name_to_code = dict(zip(units["district_name"], units["district_code"], strict=True))
    submitted = pd.concat(
        [
            pd.read_excel(path, engine="openpyxl", dtype={"报告期": str})
            for path in sorted((raw / "districts").iterdir())
        ],
        ignore_index=True,
    )
    assert list(submitted.columns) == ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"]
    submitted["district_code"] = submitted["区县"].map(name_to_code)
    expected = (
        filings[filings["in_scope"]]
        .assign(rd=lambda f: f["研发费用本年累计"].fillna(0))
        .groupby(["district_code", "报告期"])
        .agg(count=("统一社会信用代码", "size"), revenue=("营业收入本年累计", "sum"), rd=("rd", "sum"))
        .reset_index()
    )
    joined = submitted.merge(expected, on=["district_code", "报告期"], how="outer", indicator=True)
    assert (joined["_merge"] == "both").all()
    assert len(joined) == expected["district_code"].nunique() * 13
    assert (joined["企业个数"] == joined["count"]).all()
    assert (joined["营业收入本年累计"] - joined["revenue"]).abs().max() < 0.005
    assert (joined["研发费用本年累计"] - joined["rd"]).abs().max() < 0.005


def test_bureau_tables(raw: Path, filings: pd.DataFrame) -> None:
    def rows(period: str) -> list[tuple]:
        workbook = openpyxl.load_workbook(raw / "bureau" / f"统计局月报_{period}.xlsx")
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]

    feb_2022, feb_2023 = rows("2022-02"), rows("2023-02")
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
    division_39 = filings[filings["in_scope"] & filings["行业代码"].str.startswith("39")]
    for period in ("2022-02", "2022-12", "2023-03"):
        filed = division_39.loc[division_39["报告期"] == period, "营业收入本年累计"].sum()
        assert abs(rows(period)[3][1] / filed - 1) <= 0.01


def test_digitalization_only_goes_forward(raw: Path, registry: pd.DataFrame) -> None:
    processes = ["研发设计", "生产制造", "经营管理", "销售服务"]
    years = [
        pd.read_excel(
            raw / "surveys" / f"数字化调查_{year}.xlsx", engine="openpyxl", dtype={"统一社会信用代码": str}
        )
        for year in (2022, 2023)
    ]
    assert list(years[0].columns) == ["统一社会信用代码", "调查年度", *processes]
    assert years[0]["调查年度"].eq(2022).all() and years[1]["调查年度"].eq(2023).all()
    in_scope = set(registry.loc[registry["in_scope"], "统一社会信用代码"])
    assert 0.75 * 60 <= years[0]["统一社会信用代码"].isin(in_scope).sum() <= 60
    both = years[0].merge(years[1], on="统一社会信用代码", suffixes=("_a", "_b"))
    assert len(both) > 30
    for process in processes:
        assert not ((both[f"{process}_a"] == "是") & (both[f"{process}_b"] == "否")).any(), process
    assert set(years[0][processes].stack()) == {"是", "否"}


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
