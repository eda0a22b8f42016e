"""The outlook as the dbt model needs it: from the indicator series, the plans and the as-of periods
(pandas frames or row mappings) to one row per plan, indicator, as-of period and target year, with
the columns of intermediate.int_indicator_outlook. The statistics are in orchestration/outlook.py."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from orchestration.outlook import (
    METHODS,
    Outlook,
    fit_drift,
    month_index,
    month_start,
    observations,
    outlook_for,
)

# the forecast of each row: the median and the 80% and 95% intervals, then the chance of the target
FORECAST_COLUMNS = (
    "point_forecast",
    "lower_80",
    "upper_80",
    "lower_95",
    "upper_95",
    "probability_meets_target",
)
TABLE_COLUMNS = [
    "plan_id",
    "indicator_code",
    "indicator_name_zh",
    "unit",
    "as_of_period",
    "target_year",
    "is_plan_target_year",
    "target_value",
    "target_comparison",
    *FORECAST_COLUMNS,
    "last_observed_period",
    "last_observed_value",
    "horizon_years",
    "drift_per_year",
    "effective_years",
    "method",
    "note",
]


@dataclass(frozen=True)
class _IndicatorSeries:
    available_from: np.ndarray  # month_index from which each value may be used
    months: np.ndarray  # month_index the value describes
    values: np.ndarray
    window_years: float = 0.0  # 1.0 for a moving annual total (window_months 12), 0.0 for a level

    def available_at(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """The months and values an as-of period may use."""
        usable = self.available_from <= month_index(as_of)
        return self.months[usable], self.values[usable]


NO_SERIES = _IndicatorSeries(np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([]))


def _as_float(value: Any) -> float:
    """A number, NaN for a missing one (None, NaN, pandas' NA)."""
    try:
        return float(value)
    except TypeError:
        return math.nan


def _window_months(row: Mapping[str, Any]) -> int:
    """The row's window_months: 12 for a moving annual total; a missing column or value is 0."""
    months = _as_float(row.get("window_months"))
    return 0 if math.isnan(months) else int(months)


def _group_series(series: Iterable[Mapping[str, Any]]) -> dict[str, _IndicatorSeries]:
    """Each indicator's values as arrays, built once so that every as-of period is a cheap mask."""
    rows: dict[str, list[tuple[int, int, float]]] = {}
    windows: dict[str, set[int]] = {}
    for row in series:
        entry = (month_index(row["available_from"]), month_index(row["period"]), _as_float(row["value"]))
        rows.setdefault(row["indicator_code"], []).append(entry)
        windows.setdefault(row["indicator_code"], set()).add(_window_months(row))
    for code, found in windows.items():
        if len(found) > 1:
            raise ValueError(f"indicator {code}: window_months {sorted(found)}, expected one per indicator")
    return {
        code: _IndicatorSeries(
            *(np.array(column) for column in zip(*entries, strict=True)), windows[code].pop() / 12
        )
        for code, entries in rows.items()
    }


def _plan_rows(
    plan: Mapping[str, Any], data: _IndicatorSeries, as_of: dt.date, *, min_years: float
) -> list[dict[str, Any]]:
    """One row per target year from the as-of year through the plan's target year."""
    kind = plan["indicator_kind"]
    if kind not in METHODS:
        raise ValueError(
            f"plan {plan['plan_id']}, indicator {plan['indicator_code']}: "
            f"indicator_kind is {kind!r}, expected 'flow' or 'ratio'"
        )
    log = kind == "flow"
    comparison = plan["target_comparison"] if isinstance(plan["target_comparison"], str) else None
    target = _as_float(plan["target_value"])
    plan_year = int(plan["target_year"])
    series = observations(*data.available_at(as_of), log=log)
    # fitted once for every target year
    drift = fit_drift(series.months, series.x, min_years=min_years, window_years=data.window_years)
    rows = []
    for year in range(as_of.year, plan_year + 1):
        is_plan_year = year == plan_year
        year_target = target if is_plan_year and not math.isnan(target) else None
        outlook = outlook_for(
            series, drift, year * 12 + 11, log=log, target=year_target, strictly_above=comparison == "above"
        )
        rows.append(_row(plan, as_of, year, year_target, comparison, outlook, METHODS[kind]))
    return rows


def _row(
    plan: Mapping[str, Any],
    as_of: dt.date,
    year: int,
    target: float | None,
    comparison: str | None,
    outlook: Outlook,
    method: str,
) -> dict[str, Any]:
    is_plan_year = year == int(plan["target_year"])
    last_period = None if outlook.last_month is None else month_start(outlook.last_month)
    return {
        "plan_id": plan["plan_id"],
        "indicator_code": plan["indicator_code"],
        "indicator_name_zh": plan["indicator_name_zh"],
        "unit": plan["unit"],
        "as_of_period": as_of,
        "target_year": year,
        "is_plan_target_year": is_plan_year,
        "target_value": target,
        "target_comparison": comparison,
        "point_forecast": outlook.point,
        "lower_80": outlook.lower_80,
        "upper_80": outlook.upper_80,
        "lower_95": outlook.lower_95,
        "upper_95": outlook.upper_95,
        "probability_meets_target": outlook.probability,
        "last_observed_period": last_period,
        "last_observed_value": outlook.last_value,
        "horizon_years": outlook.horizon_years,
        "drift_per_year": outlook.drift_per_year,
        "effective_years": outlook.effective_years,
        "method": method,
        "note": outlook.reason,
    }


def outlook_records(
    series: Iterable[Mapping[str, Any]],
    plans: Iterable[Mapping[str, Any]],
    as_of_periods: Sequence[dt.date],
    *,
    min_years: float,
) -> list[dict[str, Any]]:
    """The rows of outlook_table as dicts (keys TABLE_COLUMNS), from rows given as mappings."""
    by_indicator = _group_series(series)
    return [
        row
        for plan in plans
        for as_of in as_of_periods
        if as_of.year <= int(plan["target_year"])  # no outlook once the target year is over
        for row in _plan_rows(
            plan, by_indicator.get(plan["indicator_code"], NO_SERIES), as_of, min_years=min_years
        )
    ]


def outlook_table(
    series: pd.DataFrame, plans: pd.DataFrame, as_of_periods: Sequence[dt.date], *, min_years: float
) -> pd.DataFrame:
    """One row per plan indicator, as-of period and target year (as-of year .. plan target year).

    series: indicator_code, period (the month described), available_from (the first as-of period
    allowed to use the value), value, and optionally window_months (12 when the value is a moving
    annual total or a ratio of two; 0, missing or no column when it is the level itself). plans: plan_id, indicator_code, indicator_name_zh, unit,
    indicator_kind, target_year, target_value, target_comparison. Only rows with
    available_from <= as-of are used; a survey of the as-of year (period December) is one of them.
    """
    import pandas as pd  # at the boundary only: the statistics need numpy and scipy alone

    columns = ["indicator_code", "period", "available_from", "value"]
    columns += ["window_months"] if "window_months" in series.columns else []
    records = outlook_records(
        series[columns].to_dict("records"), plans.to_dict("records"), as_of_periods, min_years=min_years
    )
    return pd.DataFrame(records, columns=TABLE_COLUMNS)
