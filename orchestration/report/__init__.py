"""The monthly briefing (`planwatch report`): an .xlsx workbook and a self-contained .html page for one
period, from the published analyst snapshot."""

from orchestration.report.briefing import ReportFiles, build_report

__all__ = ["ReportFiles", "build_report"]
