"""Feedback workbooks for the districts: one .xlsx per district and month, listing what to fix.

Reads marts.dq_findings, marts.dq_rules and reference.reporting_units from the build database
(read-only) and writes out_dir/<YYYY-MM>/<district_code>_<district_name>.xlsx. A finding is filed
under its filed_period, the month of the file it came from (the build decides it, so that
district_monthly and the briefing count it there too); findings that one fault causes on the same
line (a unit mix-up breaks the district total and the growth too) are one problem, its cause first.
No Dagster here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from orchestration.folders import replacing
from orchestration.spreadsheet import fit_landscape_a4, safe_cell

FIX_SHEET = "需要更正"
RULES_SHEET = "规则说明"
CITYWIDE_FILE = "全市_citywide.xlsx"
UNDATED_FOLDER = "未分期_undated"  # findings without a period, e.g. a registry credit code (DQ09)
SEVERITY_ZH = {"error": "错误", "warn": "提示", "warn/error": "提示/错误"}
ADVICE = {"error": "请更正后重新报送", "warn": "请核实，如有误请更正"}
# A district figure found right once enterprises' lines other findings name are corrected (DQ02, DQ03)
STANDS_ADVICE = "此项区县报送数无需更正：请督促说明中的企业更正月报"

# Sheet 1 and sheet 2: each column's header and width. Text wraps in every column but the short ones.
FIX_COLUMNS = {
    "问题": 6,
    "严重程度": 10,
    "规则": 26,
    "说明": 64,
    "应为": 16,
    "实际": 16,
    "来源文件": 30,
    "行号": 8,
    "处理建议": 22,
}
RULE_COLUMNS = {
    "规则编号": 10,
    "规则名称": 28,
    "严重程度": 10,
    "审核内容": 70,
    "阈值": 30,
    "本表条数": 10,
}
UNWRAPPED = {"问题", "严重程度", "行号", "规则编号", "本表条数"}
HEADER_ROW = 3

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


@dataclass(frozen=True)
class Finding:
    """One row of marts.dq_findings, with the names a district officer reads."""

    finding_id: str
    rule_id: str
    severity: str
    district_code: str | None
    district_name: str | None
    period: dt.date | None
    subject: str | None
    expected: str | None
    actual: str | None
    message: str
    source_file: str | None
    source_row: int | None
    filed_period: dt.date | None = None  # the month it is filed under: of the file it came from
    district_figure_stands: bool = False  # the district's figure is right: enterprises are to correct

    def sort_key(self) -> tuple:
        """Errors first, then by rule, file and row (missing last), then stable by id."""
        return (
            self.severity != "error",
            self.rule_id,
            self.source_file is None,
            self.source_file or "",
            self.source_row is None,
            self.source_row or 0,
            self.subject or "",
            self.finding_id,
        )


@dataclass(frozen=True)
class Rule:
    """One row of marts.dq_rules, in the words a district reads."""

    rule_id: str
    title: str
    severity: str
    checks_zh: str | None
    threshold_zh: str | None
    explains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Problem:
    """Findings with one cause: the cause first, then the findings it can explain on the same line."""

    cause: Finding
    consequences: tuple[Finding, ...] = ()


def problems(findings: Iterable[Finding], rules: dict[str, Rule]) -> list[Problem]:
    """Group findings by root cause: a finding whose rule the catalogue says another rule `explains`
    (DQ06 explains DQ02, DQ04, DQ05, DQ07) goes under that finding when both are about the same line
    of the same file. Problems are ordered by their cause, errors first."""
    ordered = sorted(findings, key=Finding.sort_key)
    causes: dict[tuple[str, int], list[Finding]] = {}
    for finding in ordered:
        rule = rules.get(finding.rule_id)
        if rule and rule.explains and finding.source_file and finding.source_row is not None:
            causes.setdefault((finding.source_file, finding.source_row), []).append(finding)
    explained: dict[str, list[Finding]] = {}
    for finding in ordered:
        for cause in causes.get((finding.source_file or "", finding.source_row or -1), []):
            if finding.rule_id in rules[cause.rule_id].explains and finding is not cause:
                explained.setdefault(cause.finding_id, []).append(finding)
                break
    attached = {id(finding) for group in explained.values() for finding in group}
    return [
        Problem(finding, tuple(explained.get(finding.finding_id, ())))
        for finding in ordered
        if id(finding) not in attached
    ]


def write_feedback(build_db: Path, out_dir: Path) -> list[Path]:
    """Write one workbook per district and period with findings; return their paths, sorted.

    out_dir belongs to this function: the new set is written beside it and swapped in, so a failed
    write leaves the previous set as it was, and workbooks of findings that are gone disappear.
    Findings without a district go to <YYYY-MM>/全市_citywide.xlsx, those without a period to
    未分期_undated/.
    """
    build_db, out_dir = Path(build_db), Path(out_dir)
    if not build_db.is_file():
        raise FileNotFoundError(f"build database not found: {build_db}")
    findings, rules = read_findings(build_db)
    _check_replaceable(out_dir)

    with replacing(out_dir) as building:
        written = [_write_workbook(building, group, rules) for group in _groups(findings).values()]
    return sorted(out_dir / path for path in written)


def read_findings(build_db: Path) -> tuple[list[Finding], dict[str, Rule]]:
    """Findings with their district names, and the rule catalogue by id, from the build database."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        findings = [Finding(*row) for row in con.execute(_FINDINGS_SQL).fetchall()]
        rules = {
            row[0]: Rule(*row[:5], frozenset((row[5] or "").split()))
            for row in con.execute(
                "select rule_id, title, severity, checks_zh, threshold_zh, explains from marts.dq_rules"
            ).fetchall()
        }
    return findings, rules


_FINDINGS_SQL = """
    select
        findings.finding_id,
        findings.rule_id,
        findings.severity,
        findings.district_code,
        reporting_units.district_name,
        findings.period,
        findings.subject,
        findings.expected,
        findings.actual,
        -- figures are in 万元; a file in 千元 or 亿元 holds them as the officer will not find them
        findings.message || coalesce(
            case when findings.message like '%万元%' then
                '（来源文件中的金额单位：' || units.money_units || '；说明中的金额已折算为万元）'
            end,
            ''
        ),
        findings.source_file,
        findings.source_row,
        findings.filed_period,
        findings.district_figure_stands
    from marts.dq_findings as findings
    left join reference.reporting_units as reporting_units
        on reporting_units.district_code = findings.district_code
    left join (
        select source_file, max(money_units) as money_units
        from raw.ingest_ledger
        where status = 'ingested'
        group by source_file
    ) as units
        on units.source_file = findings.source_file
"""


def workbook_path(period: dt.date | None, district_code: str | None, district_name: str | None) -> Path:
    """<YYYY-MM>/<district_code>_<district_name>.xlsx, relative to the output folder."""
    folder = period.strftime("%Y-%m") if period else UNDATED_FOLDER
    if district_code is None:
        return Path(folder) / CITYWIDE_FILE
    name = _UNSAFE_FILE_CHARS.sub("_", f"{district_code}_{district_name or '未知区县'}")
    return Path(folder) / f"{name}.xlsx"


def _groups(findings: Iterable[Finding]) -> dict[Path, list[Finding]]:
    groups: dict[Path, list[Finding]] = {}
    for finding in findings:
        path = workbook_path(finding.filed_period, finding.district_code, finding.district_name)
        groups.setdefault(path, []).append(finding)
    return {path: sorted(group, key=Finding.sort_key) for path, group in sorted(groups.items())}


def _write_workbook(root: Path, findings: list[Finding], rules: dict[str, Rule]) -> Path:
    first = findings[0]
    relative = workbook_path(first.filed_period, first.district_code, first.district_name)
    unit = "全市" if first.district_code is None else first.district_name or first.district_code
    filed = first.filed_period
    period = f"{filed.year}年{filed.month}月" if filed else "不分报告期"

    workbook = Workbook()
    _fill_fix_sheet(workbook.active, f"{unit} {period} 数据质量反馈", findings, rules)
    _fill_rules_sheet(workbook.create_sheet(RULES_SHEET), findings, rules)
    workbook.properties.creator = "planwatch"

    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducibly(workbook, path)
    return relative


def _fill_fix_sheet(sheet: Worksheet, title: str, findings: list[Finding], rules: dict[str, Rule]) -> None:
    sheet.title = FIX_SHEET
    errors = sum(finding.severity == "error" for finding in findings)
    warns = len(findings) - errors
    # errors on a district figure found right once enterprises correct their filings (DQ02)
    standing = sum(finding.severity == "error" and finding.district_figure_stands for finding in findings)
    grouped = problems(findings, rules)
    sheet["A1"] = safe_cell(title)
    sheet["A1"].font = Font(bold=True, size=14)
    to_resubmit = (
        f"{errors - standing} 条须更正后重新报送，{standing} 条区县报送数无误、只须督促企业更正月报"
        if standing
        else "须更正后重新报送"
    )
    sheet["A2"] = (
        f"共 {len(grouped)} 个问题：错误 {errors} 条（{to_resubmit}），提示 {warns} 条（请核实）；"
        "同一原因引起的各条列为一个问题，原因在前"
    )
    rows = []
    for number, problem in enumerate(grouped, start=1):
        cause_title = _rule_title(problem.cause, rules)
        advice = ADVICE.get(problem.cause.severity, ADVICE["warn"])
        if problem.cause.district_figure_stands:
            advice = STANDS_ADVICE
        if problem.consequences:
            advice = f"先更正此项；下面 {len(problem.consequences)} 条可能由此引起，更正后请复核"
        rows.append(_fix_row(number, problem.cause, rules, problem.cause.message, advice))
        for finding in problem.consequences:
            rows.append(
                _fix_row(
                    number,
                    finding,
                    rules,
                    f"（可能由本问题第一条“{cause_title}”引起）{finding.message}",
                    "随第一条一并更正后复核",
                )
            )
    _table(sheet, FIX_COLUMNS, rows, header_row=HEADER_ROW)
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=2):
        if row[1].value == SEVERITY_ZH["error"]:
            row[1].font = Font(bold=True, color="C00000")
        for cell in (row[0].offset(column=4), row[0].offset(column=5)):  # 应为, 实际
            if isinstance(cell.value, int | float):
                cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00####"


def _rule_title(finding: Finding, rules: dict[str, Rule]) -> str:
    rule = rules.get(finding.rule_id)
    return rule.title if rule else finding.rule_id


def _fix_row(number: int, finding: Finding, rules: dict[str, Rule], message: str, advice: str) -> list:
    return [
        number,
        SEVERITY_ZH.get(finding.severity, finding.severity),
        f"{finding.rule_id} {_rule_title(finding, rules)}",
        message,
        amount_cell(finding.expected),
        amount_cell(finding.actual),
        finding.source_file,
        finding.source_row,
        advice,
    ]


def amount_cell(text: str | None) -> object:
    """A value of the 应为/实际 columns: an amount written "1,050,000" or "5.2" becomes a number (shown
    with thousands separators, and a district can add it up); anything else ("≥ 0", "校验码 A",
    "500 至 1,500") stays text."""
    if text is None or not _AMOUNT.fullmatch(text):
        return text
    value = Decimal(text.replace(",", ""))
    return int(value) if value == value.to_integral_value() else float(value)


def _fill_rules_sheet(sheet: Worksheet, findings: list[Finding], rules: dict[str, Rule]) -> None:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
    rows = []
    for rule_id in sorted(counts):
        rule = rules.get(rule_id) or Rule(rule_id, "", "", None, None)
        rows.append(
            [
                rule.rule_id,
                rule.title,
                SEVERITY_ZH.get(rule.severity, rule.severity),
                rule.checks_zh,
                rule.threshold_zh,
                counts[rule_id],
            ]
        )
    _table(sheet, RULE_COLUMNS, rows, header_row=1)


def _table(sheet: Worksheet, columns: dict[str, int], rows: list[list], header_row: int) -> None:
    """Header in bold on grey, values as text (never formulas), widths, filter, frozen header, print setup."""
    header_fill = PatternFill("solid", fgColor="D9D9D9")
    headers = list(columns)
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[cell.column_letter].width = columns[header]
    for offset, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + offset, column=index, value=safe_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
            cell.alignment = Alignment(vertical="top", wrap_text=headers[index - 1] not in UNWRAPPED)
    last_row = header_row + max(len(rows), 1)
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=last_row, column=len(columns)).coordinate}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    sheet.print_title_rows = f"{header_row}:{header_row}"
    fit_landscape_a4(sheet)


def _save_reproducibly(workbook: Workbook, path: Path) -> None:
    """Save so that the same findings give the same bytes: no save time in the document properties
    and a fixed time on the zip entries (openpyxl stamps both with the clock)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(b"", data)
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)


def _check_replaceable(out_dir: Path) -> None:
    """Refuse to swap away a folder that holds anything but an earlier set of feedback workbooks."""
    if not out_dir.exists():
        return
    for entry in out_dir.iterdir():
        periodic = entry.is_dir() and (
            re.fullmatch(r"\d{4}-\d{2}", entry.name) or entry.name == UNDATED_FOLDER
        )
        if not periodic or any(not (item.is_file() and item.suffix == ".xlsx") for item in entry.iterdir()):
            raise ValueError(
                f"{out_dir} holds {entry.name}, which is not a feedback workbook folder; not replacing it"
            )
