"""The briefing as an .xlsx workbook: one titled sheet per table, set up for print (A4 landscape,
fitted to the page width)."""

from __future__ import annotations

import math
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from orchestration.report.cumulative import cumulative_table
from orchestration.report.model import STATUS_COLOR, TITLE, Briefing, Column, Table, period_label, ytd_label
from orchestration.report.tables import (
    cell_revisions_table,
    chain_table,
    district_table,
    findings_table,
    notes_table,
    outlook_table,
    revisions_table,
    scorecard_table,
)
from orchestration.spreadsheet import fit_landscape_a4, safe_cell

LINE_HEIGHT = 15  # points per line of 11-point text
HEADER_ROW = 3
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


def build_workbook(briefing: Briefing) -> Workbook:
    """Nine sheets, each a titled table set up for print."""
    workbook = Workbook()
    label = period_label(briefing.period)
    subtitle = f"报告期 {ytd_label(briefing.period)}（本年累计）；数据：{briefing.snapshot.name}"
    if briefing.last_publish:
        subtitle += f"，发布于 {briefing.last_publish['published_at']:%Y-%m-%d %H:%M}"
    sheets = [
        ("指标", "规划指标进度", scorecard_table(briefing), 2),
        ("累计", "月度累计走势（1月至各月）", cumulative_table(briefing), 3),
        ("产业链", "产业链", chain_table(briefing), 2),
        ("区县", "区县（按营业收入排名，保密区县列后）", district_table(briefing), 2),
        ("展望", "2027年展望（预测值与区间）", outlook_table(briefing), 1),
        ("修订", "本次发布修订的以往数据", revisions_table(briefing), 2),
        ("单元修订", "本次发布修订的产业链、区县以往数据", cell_revisions_table(briefing), 1),
        ("问题", "数据质量问题（本期及不分报告期，错误在前）", findings_table(briefing), 1),
        ("说明", "说明", notes_table(briefing), 1),
    ]
    for index, (name, heading, table, frozen_columns) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        write_sheet(sheet, f"{TITLE} {label} — {heading}", subtitle, table, frozen_columns)
    workbook.properties.creator = "planwatch"
    workbook.properties.title = f"{TITLE} {label}"
    return workbook


def write_sheet(sheet: Worksheet, title: str, subtitle: str, table: Table, frozen_columns: int = 1) -> None:
    """Title and subtitle rows, a bold header, values (text through safe_cell), formats and print setup."""
    last_column = get_column_letter(len(table.columns))
    for row, (text, font) in enumerate(
        ((title, Font(bold=True, size=14)), (subtitle, Font(color="595959"))), 1
    ):
        cell = sheet.cell(row=row, column=1, value=safe_cell(text))
        cell.font = font
        sheet.merge_cells(f"A{row}:{last_column}{row}")
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=safe_cell(column.header))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # A spreadsheet does not grow a row for wrapped text it did not lay out itself: each row gets the
    # height its longest wrapped text needs, or the header and long messages print over the next row.
    sheet.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * max(
        text_lines(column.header, column.width) for column in table.columns
    )
    for offset, values in enumerate(table.rows, start=1):
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            _write_cell(sheet, HEADER_ROW + offset, index, column, value)
        wrapped = [
            text_lines(str(value), column.width)
            for column, value in zip(table.columns, values, strict=True)
            if column.wrap
        ]
        if max(wrapped, default=1) > 1:
            sheet.row_dimensions[HEADER_ROW + offset].height = LINE_HEIGHT * max(wrapped)
    for offset, status in enumerate(table.status, start=1):
        for index in table.status_columns:
            sheet.cell(row=HEADER_ROW + offset, column=index + 1).font = Font(
                bold=True, color=STATUS_COLOR.get(status)
            )
    _print_setup(sheet, last_column, len(table.rows), frozen_columns)


def text_lines(text: str, width: float) -> int:
    """Lines a text takes in a wrapped cell `width` characters wide (a CJK character is about 1.7)."""
    lines = 0
    for part in text.split("\n"):
        units = sum(1.7 if ord(char) >= 0x2E80 else 1 for char in part)
        lines += max(1, math.ceil(units / max(width - 1, 1)))
    return lines


def _write_cell(sheet: Worksheet, row: int, column_index: int, column: Column, value: Any) -> None:
    cell = sheet.cell(row=row, column=column_index, value=safe_cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text stays text, whatever it starts with
    if column.decimals is not None:
        cell.number_format = column.number_format
        cell.alignment = Alignment(horizontal="right", vertical="top")
    else:
        cell.alignment = Alignment(vertical="top", wrap_text=column.wrap)


def _print_setup(sheet: Worksheet, last_column: str, rows: int, frozen_columns: int) -> None:
    """Landscape A4, one page wide, header row repeated, panes frozen below the header, page numbers."""
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + max(rows, 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{last_column}{HEADER_ROW + max(rows, 1)}"
    fit_landscape_a4(sheet)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
