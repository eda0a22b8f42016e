"""Writing the small hand-made input files the tests read, as an office would save them."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from orchestration.ingest.reader import FileRejected, parse_file


def write_xlsx(
    path: Path, rows: list[list[object]], sheet: str = "Sheet1", merges: tuple[str, ...] = ()
) -> Path:
    """A one-sheet workbook with `rows` from A1 (a title row, a header, data: whatever the test writes),
    with the cell ranges in `merges` merged as offices merge titles and two-row headers ("A1:F1")."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for cells in merges:
        worksheet.merge_cells(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    """A CSV as Excel saves it for Chinese text: UTF-8 with a byte-order mark."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# An enterprise office's monthly filing as it is most often sent: code, name, month, figures in 万元.
FILING_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "报告期",
    "营业收入本年累计（万元）",
    "研发费用本年累计（万元）",
]


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook with one sheet per entry, in order, each with its rows from A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def refusal(path: Path, kind: str, label: str | None = None) -> str:
    """What the reader says when it refuses the file (the test fails if it reads it)."""
    with pytest.raises(FileRejected) as caught:
        parse_file(path, kind, label)
    return str(caught.value)
