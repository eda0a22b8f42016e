"""Synthetic demo data: a realistic raw folder for demos and tests (no Dagster here)."""

from planwatch_demo.generator import DemoSummary, generate

__all__ = ["DemoSummary", "generate"]
