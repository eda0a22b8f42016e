"""Feedback workbooks for the districts: one .xlsx per district and period, listing what to fix.

Reads marts.dq_findings, marts.dq_rules and reference.reporting_units from the build database
(read-only) and writes out_dir/<YYYY-MM>/<district_code>_<district_name>.xlsx. No Dagster here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

FIX_SHEET = "需要更正"
RULES_SHEET = "规则说明"
CITYWIDE_FILE = "全市_citywide.xlsx"
UNDATED_FOLDER = "未分期_undated"  # findings without a period, e.g. a registry credit code (DQ09)
SEVERITY_ZH = {"error": "错误", "warn": "提示", "warn/error": "提示/错误"}
ADVICE = {"error": "请更正后重新报送", "warn": "请核实，如有误请更正"}

# Sheet 1: (header, width, wrap)
FIX_COLUMNS = [
    ("严重程度", 10, False),
    ("规则", 26, True),
    ("说明", 64, True),
    ("应为", 16, True),
    ("实际", 16, True),
    ("来源文件", 30, True),
    ("行号", 8, False),
    ("处理建议", 22, True),
]
RULE_COLUMNS = [
    ("规则编号", 10, False),
    ("规则名称", 28, True),
    ("严重程度", 10, False),
    ("审核内容", 70, True),
    ("阈值", 24, True),
    ("本表条数", 10, False),
]
HEADER_ROW = 3

# A text cell starting with one of these is read as a formula when someone edits it in a spreadsheet
# (OWASP "CSV injection"); a plain number such as -200.00 is not, and keeps its look.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
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
    """One row of marts.dq_rules."""

    rule_id: str
    title: str
    severity: str
    checks: str | None
    threshold: str | None


def safe_cell(value: object) -> object:
    """A value safe to put in a spreadsheet cell: text that a spreadsheet would take for a formula gets
    a leading apostrophe ("'=HYPERLINK(...)"), and characters a workbook cannot hold are dropped.
    Numbers, dates and None pass unchanged; so does text that is a plain number ("-200.00")."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


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

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    building = out_dir.with_name(f".{out_dir.name}.building-{uuid.uuid4().hex[:8]}")
    building.mkdir()
    try:
        written = [_write_workbook(building, group, rules) for group in _groups(findings).values()]
        _swap_folder(building, out_dir)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return sorted(out_dir / path for path in written)


def read_findings(build_db: Path) -> tuple[list[Finding], dict[str, Rule]]:
    """Findings with their district names, and the rule catalogue by id, from the build database."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        findings = [
            Finding(*row)
            for row in con.execute(
                """
                select
                    findings.finding_id,
                    findings.rule_id,
                    findings.severity,
                    findings.district_code,
                    units.district_name,
                    findings.period,
                    findings.subject,
                    findings.expected,
                    findings.actual,
                    findings.message,
                    findings.source_file,
                    findings.source_row
                from marts.dq_findings as findings
                left join reference.reporting_units as units
                    on units.district_code = findings.district_code
                """
            ).fetchall()
        ]
        rules = {
            row[0]: Rule(*row)
            for row in con.execute(
                "select rule_id, title, severity, checks, threshold from marts.dq_rules"
            ).fetchall()
        }
    return findings, rules


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
        path = workbook_path(finding.period, finding.district_code, finding.district_name)
        groups.setdefault(path, []).append(finding)
    return {path: sorted(group, key=Finding.sort_key) for path, group in sorted(groups.items())}


def _write_workbook(root: Path, findings: list[Finding], rules: dict[str, Rule]) -> Path:
    first = findings[0]
    relative = workbook_path(first.period, first.district_code, first.district_name)
    unit = "全市" if first.district_code is None else first.district_name or first.district_code
    period = f"{first.period.year}年{first.period.month}月" if first.period else "不分报告期"

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
    sheet["A1"] = safe_cell(title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"错误 {errors} 条（须更正后重新报送），提示 {warns} 条（请核实）"
    rows = []
    for finding in findings:
        rule = rules.get(finding.rule_id)
        rows.append(
            [
                SEVERITY_ZH.get(finding.severity, finding.severity),
                f"{finding.rule_id} {rule.title}" if rule else finding.rule_id,
                finding.message,
                finding.expected,
                finding.actual,
                finding.source_file,
                finding.source_row,
                ADVICE.get(finding.severity, ADVICE["warn"]),
            ]
        )
    _table(sheet, FIX_COLUMNS, rows, header_row=HEADER_ROW)
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=1):
        if row[0].value == SEVERITY_ZH["error"]:
            row[0].font = Font(bold=True, color="C00000")


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
                rule.checks,
                rule.threshold,
                counts[rule_id],
            ]
        )
    _table(sheet, RULE_COLUMNS, rows, header_row=1)


def _table(sheet: Worksheet, columns: list[tuple[str, int, bool]], rows: list[list], header_row: int) -> None:
    """Header in bold on grey, values as text (never formulas), widths, filter, frozen header, print setup."""
    header_fill = PatternFill("solid", fgColor="D9D9D9")
    for index, (header, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    for offset, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + offset, column=index, value=safe_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
            cell.alignment = Alignment(vertical="top", wrap_text=columns[index - 1][2])
    last_row = header_row + max(len(rows), 1)
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=last_row, column=len(columns)).coordinate}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


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


def _swap_folder(new: Path, target: Path) -> None:
    """Put new in target's place; the old folder is removed only once new is in place."""
    retired = target.with_name(f".{target.name}.retired-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(retired)
    new.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
