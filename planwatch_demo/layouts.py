"""How the demo files look: the clean table and the messy layouts real files come in (docs/interface.md),
and the .xlsx, .xls and .csv writers, which give the same bytes for the same rows.

A table is a list of lines (one enterprise filing, one district submission, one bureau line) with money
in cents of 万元; a layout says how the lines are written: title and unit lines, header, unit, period and
number styles, column order, file format. Any layout reads back, through the ingest, to the same money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

FIXED_TIMESTAMP = dt.datetime(2026, 11, 20, 9, 0, 0)
"""Creation and modification time written into every workbook, so that files are reproducible."""


@dataclass(frozen=True)
class Unit:
    """A reporting unit of reporting_units.csv."""

    code: str
    name: str
    short_name: str


# ---------- lines


@dataclass(eq=False)  # a line is itself: two equal-looking lines are two rows
class FilingLine:
    """One enterprise's monthly filing: money in cents of 万元, R&D None when not reported."""

    uscc: str
    name: str
    unit: Unit  # the district the enterprise files through
    period: tuple[int, int]
    revenue: int
    rd: int | None
    employees: int
    prior: int | None = None  # revenue a year earlier, for a 同比增长 column
    firm: int | None = None  # index of the enterprise in the generator's list, None if unregistered


@dataclass(eq=False)  # a line is itself: two equal-looking lines are two rows
class SubmissionLine:
    """One district's monthly submission."""

    unit: Unit
    period: tuple[int, int]
    count: int
    revenue: int
    rd: int
    prior: int | None = None


@dataclass(eq=False)  # a line is itself: two equal-looking lines are two rows
class BureauLine:
    """One industry line of the bureau's monthly table; `value` is the published figure in 万元."""

    name: str
    code: str  # C39, C38, C40
    value: float
    yoy: float | None

    @property
    def revenue(self) -> int:
        return round(self.value * 100)


Line = FilingLine | SubmissionLine | BureauLine


# ---------- layouts


@dataclass(frozen=True)
class Layout:
    """How one file is written. The defaults are the clean table: header in row 1, money in 万元."""

    name: str
    fmt: str = "xlsx"  # xlsx, xls or csv
    encoding: str = "utf-8"  # csv only: utf-8, utf-8-sig or gb18030
    title: bool = False
    unit: str = "万元"  # the unit money is written in
    unit_place: str = "none"  # none (万元 implied), line (单位：… above the header) or header (…（千元）)
    unit_right: bool = False  # the unit line in the last column, as printed reports align it
    blank_rows: bool = False
    notes: str | None = None  # 注 or 说明: a note under the table
    two_row_header: bool = False  # 营业收入 merged over 本年累计 | 同比增长(%), 研发费用 over 本年累计
    period_style: str = (
        "dash"  # dash 2024-10, compact 202410, month 2024年10月, ytd 2024年1-10月, dot 2024.10
    )
    numbers: str = "plain"  # plain (numbers; exact text in a csv), text, thousands, fullwidth, spaces
    missing: str = ""  # the marker written for an R&D figure that was not reported
    district_style: str = "name"  # name, code or short
    industry_style: str = "name"  # bureau: name, code (C39) or both (C39 计算机、通信…)
    english: bool = False  # uscc, period, revenue_ytd … instead of the Chinese headers
    order: tuple[str, ...] | None = None
    extra: str | None = None  # an extra column: 备注 or 填报人
    total_row: bool = False  # a 合计 line under the data, in the first column (which must be the key)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    top: str | None = None  # two-row header: the merged group label above (营业收入)
    sub: str | None = None  # two-row header: the label under the group (本年累计)
    money: bool = False


_DISTRICT = Column("district", "区县", "district")
_PERIOD = Column("period", "报告期", "period")
_REVENUE = Column("revenue", "营业收入本年累计", "revenue_ytd", "营业收入", "本年累计", money=True)
_REVENUE_YOY = Column("revenue_yoy", "营业收入同比增长(%)", "revenue_yoy_pct", "营业收入", "同比增长(%)")
_RD = Column("rd", "研发费用本年累计", "rd_ytd", "研发费用", "本年累计", money=True)
COLUMNS: dict[str, dict[str, Column]] = {
    "filings": {
        column.key: column
        for column in (
            Column("uscc", "统一社会信用代码", "uscc"),
            Column("name", "企业名称", "name"),
            _DISTRICT,
            _PERIOD,
            _REVENUE,
            _REVENUE_YOY,
            _RD,
            Column("employees", "从业人员", "employees"),
        )
    },
    "districts": {
        column.key: column
        for column in (
            _DISTRICT,
            _PERIOD,
            Column("count", "企业个数", "enterprise_count"),
            _REVENUE,
            _REVENUE_YOY,
            _RD,
        )
    },
    "bureau": {
        column.key: column
        for column in (
            Column("industry", "行业", "industry"),
            _REVENUE,
            Column("yoy", "同比增长(%)", "yoy_pct", "营业收入", "同比增长(%)"),
        )
    },
}
DEFAULT_ORDER = {
    "filings": ("uscc", "name", "district", "period", "revenue", "rd", "employees"),
    "districts": ("district", "period", "count", "revenue", "rd"),
    "bureau": ("industry", "revenue", "yoy"),
}
KEY_COLUMN = {"filings": "uscc", "districts": "district", "bureau": "industry"}
SHEET_NAMES = {"filings": "企业月报", "districts": "区县报送", "bureau": "分行业"}
EXTRA_ENGLISH = {"备注": "remarks", "填报人": "reporter"}
REMARKS = ("新投产", "含分支机构", "已核实", "技改扩产")
REPORTERS = ("张敏", "李娜", "王磊", "刘洋", "陈静", "杨帆")
NOTES = {
    ("filings", "注"): "注：1. 本表金额为本年累计数；2. 研发费用未填报的以“—”表示。",
    ("districts", "注"): "注：企业个数为辖区内规模以上电子信息制造业企业户数，金额为本年累计数。",
    ("bureau", "注"): "注：规模以上工业企业指年主营业务收入2000万元及以上的工业法人单位。",
    ("filings", "说明"): "说明：数据来源于企业联网直报平台，经区县经济信息委审核。",
    ("districts", "说明"): "说明：本表由区县经济信息委汇总辖区企业月报后报送。",
}
SIGNATURE = "填表人：王磊　审核人：陈静　报出日期：次月8日"

CLEAN = Layout("clean")


def clean_filings_layout(year: int, month: int) -> Layout:
    """The clean monthly filings file: .xlsx in even months, .csv in odd ones, encodings taking turns."""
    if month % 2 == 0:
        return CLEAN
    encoding = CSV_ENCODINGS[(year * 12 + month) % len(CSV_ENCODINGS)]
    return Layout(f"clean_csv_{encoding}", fmt="csv", encoding=encoding)


CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
BUREAU_CLEAN = Layout("clean", title=True, unit_place="line")

FILINGS_MESSY = (
    Layout(
        "xls_title_unit_qianyuan",
        fmt="xls",
        title=True,
        blank_rows=True,
        unit="千元",
        unit_place="line",
        period_style="ytd",
        missing="—",
        district_style="short",
        notes="注",
        extra="备注",
    ),
    Layout(
        "csv_gb18030_english_thousands",
        fmt="csv",
        encoding="gb18030",
        english=True,
        period_style="compact",
        numbers="thousands",
        missing="-",
        district_style="code",
        order=("period", "uscc", "district", "revenue", "rd", "employees", "name"),
    ),
    Layout(
        "xlsx_two_row_header_yuan",
        title=True,
        unit="元",
        unit_place="line",
        two_row_header=True,
        period_style="month",
        missing="…",
        total_row=True,
    ),
    Layout(
        "csv_bom_fullwidth_header_unit",
        fmt="csv",
        encoding="utf-8-sig",
        unit="千元",
        unit_place="header",
        numbers="fullwidth",
        period_style="dot",
        missing="/",
        district_style="short",
        order=("name", "uscc", "period", "district", "employees", "revenue", "rd"),
        extra="填报人",
    ),
    Layout(
        "xlsx_yiyuan_text",
        title=True,
        blank_rows=True,
        unit="亿元",
        unit_place="line",
        numbers="text",
        district_style="code",
        notes="说明",
    ),
    Layout(
        "xls_two_row_header_spaces",
        fmt="xls",
        two_row_header=True,
        unit_place="line",
        numbers="spaces",
        period_style="compact",
        missing="—",
        notes="注",
    ),
    Layout(
        "csv_utf8_title_total",
        fmt="csv",
        title=True,
        blank_rows=True,
        unit_place="line",
        numbers="text",
        period_style="ytd",
        order=("district", "uscc", "name", "period", "revenue", "rd", "employees"),
        extra="备注",
    ),
)
DISTRICTS_MESSY = (
    Layout(
        "csv_gb18030_yiyuan_codes",
        fmt="csv",
        encoding="gb18030",
        title=True,
        unit="亿元",
        unit_place="line",
        numbers="text",
        district_style="code",
        period_style="ytd",
        total_row=True,
    ),
    Layout(
        "xlsx_two_row_header",
        title=True,
        blank_rows=True,
        unit_place="line",
        unit_right=True,
        two_row_header=True,
        notes="注",
    ),
    Layout(
        "xls_english_short_names",
        fmt="xls",
        english=True,
        district_style="short",
        period_style="compact",
        order=("period", "district", "revenue", "rd", "count"),
        extra="填报人",
    ),
    Layout(
        "xlsx_header_unit_thousands",
        unit="千元",
        unit_place="header",
        numbers="thousands",
        blank_rows=True,
        period_style="dot",
    ),
    Layout(
        "csv_utf8_fullwidth",
        fmt="csv",
        numbers="fullwidth",
        period_style="month",
        district_style="short",
        notes="说明",
    ),
)
BUREAU_MESSY = (
    Layout(
        "xls_codes_yiyuan_two_row_header",
        fmt="xls",
        title=True,
        unit="亿元",
        unit_place="line",
        numbers="text",
        two_row_header=True,
        industry_style="code",
    ),
    Layout(
        "csv_bom_english_qianyuan",
        fmt="csv",
        encoding="utf-8-sig",
        title=True,
        unit="千元",
        unit_place="line",
        numbers="thousands",
        english=True,
        industry_style="both",
    ),
    Layout("xlsx_yuan_notes", title=True, blank_rows=True, unit="元", unit_place="line", notes="注"),
)


def assign_layouts(count: int, messy: Sequence[Layout]) -> dict[int, Layout]:
    """File index → messy layout, spread evenly over `count` files; the other files stay clean."""
    if count <= len(messy):
        return dict(enumerate(messy[:count]))
    return {(2 * k + 1) * count // (2 * len(messy)): layout for k, layout in enumerate(messy)}


# ---------- tables


@dataclass
class Table:
    """One file to write: its kind (raw sub-folder), name, period, layout and lines."""

    kind: str
    stem: str
    period: tuple[int, int]
    layout: Layout
    lines: list[Line] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # 1-based row of each line, filled by write_table

    @property
    def rel(self) -> str:
        """The file's path relative to the raw folder."""
        return f"{self.kind}/{self.stem}.{self.layout.fmt}"

    def row_of(self, line: Line) -> int:
        """The 1-based row (as Excel numbers it, the line number in a csv) a line was written to."""
        for index, candidate in enumerate(self.lines):
            if candidate is line:
                return self.rows[index]
        raise KeyError(f"{self.rel}: line not in table")

    def columns(self) -> list[Column]:
        spec = COLUMNS[self.kind]
        keys = list(self.layout.order or DEFAULT_ORDER[self.kind])
        if self.layout.two_row_header and "revenue_yoy" in spec:
            keys.insert(keys.index("revenue") + 1, "revenue_yoy")
        columns = [spec[key] for key in keys]
        if self.layout.extra:
            columns.append(Column("extra", self.layout.extra, EXTRA_ENGLISH[self.layout.extra]))
        return columns
