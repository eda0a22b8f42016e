"""The monthly briefing for one period: an .xlsx workbook for print and a self-contained .html page with
charts, both read from the published analyst snapshot (analytics.duckdb, read-only). No Dagster here.

The package in order of reading: `model` (words, colours, the table shape, what one period holds),
`data` (reading the snapshot), `tables` (the tables both outputs show, so both show the same numbers),
`cumulative` (the month-by-month curves), `workbook` (.xlsx), `page` (.html with `charts`), `lead` (the
opening paragraph). This module writes the two files.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from orchestration.report.data import load_briefing
from orchestration.report.model import ReportFiles
from orchestration.report.page import render_html
from orchestration.report.workbook import build_workbook


def build_report(analytics_db: Path, period: dt.date | str, out_dir: Path) -> ReportFiles:
    """Write out_dir/planwatch_briefing_<YYYY-MM>.xlsx and .html for the period; return their paths.

    Reads only the published snapshot. Raises ValueError (naming the periods the snapshot holds) when
    the period is not in it. Each file is written under a temporary name and renamed into place.
    """
    briefing = load_briefing(Path(analytics_db), period)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"planwatch_briefing_{briefing.period:%Y-%m}"
    files = ReportFiles(xlsx=out_dir / f"{stem}.xlsx", html=out_dir / f"{stem}.html")
    _write_atomically(files.xlsx, lambda path: build_workbook(briefing).save(path))
    _write_atomically(files.html, lambda path: path.write_text(render_html(briefing), encoding="utf-8"))
    return files


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
