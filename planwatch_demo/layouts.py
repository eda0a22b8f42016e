"""How the demo files look: the clean table and the messy layouts real files come in (docs/interface.md),
and the .xlsx, .xls and .csv writers, which give the same bytes for the same rows.

A table is a list of lines (one enterprise filing, one district submission, one bureau line) with money
in cents of 万元; a layout says how the lines are written: title and unit lines, header, unit, period and
number styles, column order, file format. Any layout reads back, through the ingest, to the same money.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlwt
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

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

    @property
    def suffix(self) -> str:
        return f".{self.fmt}"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    top: str | None = None  # two-row header: the merged group label above (营业收入)
    sub: str | None = None  # two-row header: the label under the group (本年累计)
    money: bool = False


_REVENUE = Column("revenue", "营业收入本年累计", "revenue_ytd", "营业收入", "本年累计", money=True)
_REVENUE_YOY = Column("revenue_yoy", "营业收入同比增长(%)", "revenue_yoy_pct", "营业收入", "同比增长(%)")
_RD = Column("rd", "研发费用本年累计", "rd_ytd", "研发费用", "本年累计", money=True)
COLUMNS: dict[str, dict[str, Column]] = {
    "filings": {
        column.key: column
        for column in (
            Column("uscc", "统一社会信用代码", "uscc"),
            Column("name", "企业名称", "name"),
            Column("district", "区县", "district"),
            Column("period", "报告期", "period"),
            _REVENUE,
            _REVENUE_YOY,
            _RD,
            Column("employees", "从业人员", "employees"),
        )
    },
    "districts": {
        column.key: column
        for column in (
            Column("district", "区县", "district"),
            Column("period", "报告期", "period"),
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
        return f"{self.kind}/{self.stem}{self.layout.suffix}"

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


# ---------- cells


def cents_text(cents: int) -> str:
    """Exact decimal text of an amount in cents of 万元: 12345678 → '123456.78'."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def money_text(cents: int, unit: str) -> str:
    """Exact decimal text of cents of 万元 in `unit`: 元 whole, 千元 one decimal, 亿元 six."""
    sign = "-" if cents < 0 else ""
    amount = abs(int(cents))
    if unit == "万元":
        return cents_text(cents)
    if unit == "元":
        return f"{sign}{amount * 100}"
    if unit == "千元":
        return f"{sign}{amount // 10}.{amount % 10}"
    if unit == "亿元":
        return f"{sign}{amount // 1_000_000}.{amount % 1_000_000:06d}"
    raise ValueError(f"unknown money unit {unit!r}")


def money_number(cents: int, unit: str) -> float | int:
    """Cents of 万元 as a spreadsheet number in `unit`; its repr is the exact decimal."""
    factor = {"万元": 100, "千元": 10, "亿元": 1_000_000}
    if unit == "元":
        return int(cents) * 100
    return int(cents) / factor[unit]


_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def styled(text: str, style: str) -> str:
    """A number's text as people type it: thousands separators, full-width digits, stray spaces."""
    if style == "thousands":
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, dot, decimals = digits.partition(".")
        return f"{sign}{int(whole):,}{dot}{decimals}"
    if style == "fullwidth":
        return text.translate(_FULLWIDTH)
    if style == "spaces":
        return f" {text}  "
    return text


def period_cell(year: int, month: int, style: str, workbook: bool) -> object:
    """A period as it is typed: 2024-10, 202410, 2024年10月, 2024年1-10月 or 2024.10."""
    if style == "dash":
        return f"{year:04d}-{month:02d}"
    if style == "compact":
        return year * 100 + month if workbook else f"{year:04d}{month:02d}"
    if style == "month":
        return f"{year}年{month}月"
    if style == "ytd":
        return f"{year}年1-{month}月"
    if style == "dot":
        return f"{year:04d}.{month:02d}"
    raise ValueError(f"unknown period style {style!r}")


def district_cell(unit: Unit, style: str) -> str:
    return {"name": unit.name, "code": unit.code, "short": unit.short_name}[style]


def industry_cell(line: BureauLine, style: str) -> str:
    return {"name": line.name, "code": line.code, "both": f"{line.code} {line.name}"}[style]


@dataclass(frozen=True)
class _Cells:
    """Cell values for one layout: numbers, counts and missing values as the layout writes them."""

    layout: Layout

    @property
    def workbook(self) -> bool:
        return self.layout.fmt != "csv"

    def money(self, cents: int | None) -> object:
        if cents is None:
            return self.layout.missing or (None if self.workbook else "")
        if self.layout.numbers == "plain":
            return (
                money_number(cents, self.layout.unit)
                if self.workbook
                else money_text(cents, self.layout.unit)
            )
        return styled(money_text(cents, self.layout.unit), self.layout.numbers)

    def count(self, value: int) -> object:
        if self.layout.numbers == "plain":
            return int(value) if self.workbook else str(value)
        return styled(str(value), self.layout.numbers)

    def percent(self, value: float | None) -> object:
        if value is None:
            return None if self.layout.numbers == "plain" else "—"
        if self.layout.numbers == "plain":
            return value if self.workbook else f"{value:.1f}"
        return styled(f"{value:.1f}", self.layout.numbers)


def _yoy(revenue: int, prior: int | None) -> float | None:
    return None if not prior else round((revenue / prior - 1) * 100, 1)


def _line_cells(table: Table, line: Line, index: int, columns: list[Column]) -> list[object]:
    layout = table.layout
    cells = _Cells(layout)
    values: dict[str, object]
    if isinstance(line, BureauLine):
        values = {
            "industry": industry_cell(line, layout.industry_style),
            "revenue": cells.money(line.revenue),
            "yoy": cells.percent(line.yoy),
        }
    else:
        values = {
            "district": district_cell(line.unit, layout.district_style),
            "period": period_cell(*line.period, layout.period_style, cells.workbook),
            "revenue": cells.money(line.revenue),
            "revenue_yoy": cells.percent(_yoy(line.revenue, line.prior)),
            "rd": cells.money(line.rd),
        }
        if isinstance(line, FilingLine):
            values.update(uscc=line.uscc, name=line.name, employees=cells.count(line.employees))
        else:
            values["count"] = cells.count(line.count)
    if layout.extra == "备注":
        values["extra"] = REMARKS[index // 9 % len(REMARKS)] if index % 9 == 4 else None
    elif layout.extra == "填报人":
        values["extra"] = REPORTERS[index % len(REPORTERS)]
    return [values[column.key] for column in columns]


def _total_cells(table: Table, columns: list[Column]) -> list[object]:
    cells = _Cells(table.layout)
    row: list[object] = []
    for column in columns:
        if column.key == KEY_COLUMN[table.kind]:
            row.append("合计")
        elif column.money:
            row.append(cells.money(sum(getattr(line, column.key) or 0 for line in table.lines)))
        elif column.key == "count":
            row.append(cells.count(sum(line.count for line in table.lines)))
        else:
            row.append(None)
    return row


def _header_label(column: Column, layout: Layout) -> str:
    label = column.en if layout.english else column.zh
    if layout.unit_place == "header" and column.money:
        label += f"（{layout.unit}）"
    return label


TITLES = {
    "filings": "{year}年1-{month}月重庆市规模以上电子信息制造业企业月报",
    "districts": "{year}年1-{month}月各区县电子信息制造业主要指标报送表",
    "bureau": "{year}年1-{month}月重庆市规模以上工业企业营业收入（分行业）",
}


@dataclass
class Rendered:
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]]  # 0-based first row, first column, last row, last column
    line_rows: list[int]  # 1-based row of each line


def render(table: Table) -> Rendered:
    """The rows of a table's file, its merged header cells and where each line went."""
    layout = table.layout
    columns = table.columns()
    width = len(columns)
    rows: list[list[object]] = []
    merges: list[tuple[int, int, int, int]] = []

    def blank() -> None:
        rows.append([None] * width)

    if layout.title:
        year, month = table.period
        rows.append([TITLES[table.kind].format(year=year, month=month)] + [None] * (width - 1))
        if layout.blank_rows:
            blank()
    if layout.unit_place == "line":
        unit_line = f"单位：{layout.unit}"
        rows.append(
            [None] * (width - 1) + [unit_line] if layout.unit_right else [unit_line] + [None] * (width - 1)
        )
    if layout.two_row_header:
        top: list[object] = []
        bottom: list[object] = []
        first = len(rows)
        for index, column in enumerate(columns):
            if column.top is None:  # one label over both rows
                top.append(_header_label(column, layout))
                bottom.append(None)
                merges.append((first, index, first + 1, index))
            elif index > 0 and columns[index - 1].top == column.top:  # under the group to its left
                top.append(None)
                bottom.append(column.sub)
                start = index - 1
                if merges and merges[-1] == (first, merges[-1][1], first, index - 1):
                    start = merges.pop()[1]  # the group already spans more than one column
                merges.append((first, start, first, index))
            else:
                top.append(column.top)
                bottom.append(column.sub)
        rows += [top, bottom]
    else:
        rows.append([_header_label(column, layout) for column in columns])
    line_rows: list[int] = []
    middle = len(table.lines) // 2
    for index, line in enumerate(table.lines):
        if layout.blank_rows and index == middle and index > 0:
            blank()
        rows.append(_line_cells(table, line, index, columns))
        line_rows.append(len(rows))
    if layout.total_row:
        rows.append(_total_cells(table, columns))
    if layout.notes:
        if layout.blank_rows:
            blank()
        rows.append([NOTES[(table.kind, layout.notes)]] + [None] * (width - 1))
        rows.append([SIGNATURE] + [None] * (width - 1))
    return Rendered(rows, merges, line_rows)


# ---------- writers


def _save_workbook(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip timestamps, so equal content gives equal bytes."""
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    date_time = FIXED_TIMESTAMP.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))


def write_xlsx(
    path: Path,
    sheet: str,
    rows: Iterable[Sequence[object]],
    merges: Sequence[tuple[int, int, int, int]] = (),
) -> None:
    """One-sheet workbook, rows as given (None is an empty cell); `merges` are 0-based cell ranges."""
    wb = Workbook(write_only=not merges)
    if merges:
        ws = wb.active
        ws.title = sheet
    else:
        ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(list(row))
    for first_row, first_col, last_row, last_col in merges:
        ws.merge_cells(
            start_row=first_row + 1, start_column=first_col + 1, end_row=last_row + 1, end_column=last_col + 1
        )
    _save_workbook(wb, path)


def write_xls(
    path: Path,
    sheet: str,
    rows: Sequence[Sequence[object]],
    merges: Sequence[tuple[int, int, int, int]] = (),
) -> None:
    """A real BIFF8 .xls workbook (Excel 97-2003), as older reporting systems export it."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    covered: set[tuple[int, int]] = set()
    for first_row, first_col, last_row, last_col in merges:
        ws.write_merge(first_row, last_row, first_col, last_col, rows[first_row][first_col])
        covered |= {(r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in covered:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_csv(path: Path, rows: Iterable[Sequence[object]], encoding: str) -> None:
    """CSV with CRLF line ends, as spreadsheet programs export it."""
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    path.write_bytes(text.getvalue().encode(encoding))


def write_table(out: Path, table: Table) -> None:
    """Write a table's file under `out` and remember the row of each line."""
    rendered = render(table)
    path = out / table.rel
    sheet = SHEET_NAMES[table.kind]
    if table.layout.fmt == "xlsx":
        write_xlsx(path, sheet, rendered.rows, rendered.merges)
    elif table.layout.fmt == "xls":
        write_xls(path, sheet, rendered.rows, rendered.merges)
    else:
        write_csv(path, rendered.rows, table.layout.encoding)
    table.rows = rendered.line_rows
