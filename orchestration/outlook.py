"""The 2027 outlook: where an indicator is heading, with prediction intervals and the chance of the target.

Pure functions (numpy and scipy; pandas only at the table boundary): no DuckDB, no dbt.

The model, its assumptions and its formulas are in docs/outlook.md; the figures of its coverage on
simulated series come from bench/outlook_backtest.py.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

if TYPE_CHECKING:
    pass

LEVELS = (0.80, 0.95)
METHODS = {"flow": "log_drift", "ratio": "level_drift"}


@dataclass(frozen=True)
class Drift:
    """The fitted yearly change of x (log or level), with what it is worth."""

    mu: float  # per year: log growth, or percentage points
    sigma: float  # sd of one year's change of the walk (not of its average), corrected for overlap
    effective_years: float  # sigma² / Var(mu): independent years the estimate of mu is worth
    df: float  # degrees of freedom of the Student t
    window_years: float = 0.0  # x is the walk (0) or its moving average over this many years
    change_months: tuple[int, ...] = ()  # months of the yearly changes mu is the mean of


@dataclass(frozen=True)
class Observations:
    """A series ready for the model: ascending unique months, x = log(value) or value."""

    months: np.ndarray
    values: np.ndarray
    x: np.ndarray
    dropped: int  # non-positive values left out of a log series


@dataclass(frozen=True)
class Outlook:
    """One forecast in the value's unit; with no forecast only `reason` and what is known are set."""

    point: float | None = None
    lower_80: float | None = None
    upper_80: float | None = None
    lower_95: float | None = None
    upper_95: float | None = None
    probability: float | None = None  # None when no target was given or not enough history
    last_month: int | None = None  # month_index of the last observation used
    last_value: float | None = None
    horizon_years: float | None = None
    drift_per_year: float | None = None  # mu: log growth per year, or percentage points per year
    effective_years: float | None = None
    degrees_of_freedom: float | None = None
    reason: str | None = None  # why there is no forecast, None when there is one


def month_index(day: dt.date) -> int:
    """year*12 + (month-1): months apart are index units apart."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def observations(months: Sequence[int], values: Sequence[float], *, log: bool) -> Observations:
    """Sort by month, drop missing values and, for logs, values that are not positive."""
    month_array = np.asarray(months, dtype=np.int64)
    value_array = np.asarray(values, dtype=float)
    finite = np.isfinite(value_array)
    usable = finite & (value_array > 0) if log else finite
    order = np.argsort(month_array[usable], kind="stable")
    kept_months, kept_values = month_array[usable][order], value_array[usable][order]
    if kept_months.size > 1 and np.any(np.diff(kept_months) == 0):
        repeated = kept_months[1:][np.diff(kept_months) == 0][0]
        raise ValueError(f"month {month_start(int(repeated)):%Y-%m} has two values: one per month expected")
    x = np.log(kept_values) if log else kept_values
    return Observations(kept_months, kept_values, x, int(np.sum(finite & ~usable)))


def yearly_changes(months: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The months t whose month t-12 is observed too, and g(t) = x(t) - x(t-12). Months ascending."""
    position = np.searchsorted(months, months - 12)
    position = np.minimum(position, months.size - 1)
    has_year_before = months[position] == months - 12
    return months[has_year_before], x[has_year_before] - x[position[has_year_before]]


def smoothed_variance(years: np.ndarray | float, window_years: float) -> np.ndarray:
    """V(h) = Var(x(t + h) - x(t))/sigma² when x is the walk's average over the last window_years.

    With window w: V(h) = |h| - w/3 for |h| >= w, h²/w - |h|³/(3w²) below (|h| itself for w = 0).
    """
    h = np.abs(np.asarray(years, dtype=float))
    if window_years == 0:
        return h
    u = h / window_years
    return window_years * np.where(u >= 1, u - 1 / 3, u * u - u * u * u / 3)


def change_covariance(apart_months: np.ndarray, window_years: float) -> np.ndarray:
    """Cov(g(t), g(s))/sigma² for yearly changes |t - s| months apart.

    Half the second difference of V around |t - s| with a step of a year: the triangle
    max(0, 12 - |t - s|)/12 for the walk itself, 2/3 at 0 and zero from 12 months + window on for
    its one-year average.
    """
    if window_years == 0:
        return np.maximum(0, 12 - apart_months) / 12.0
    years = apart_months / 12.0
    variance = partial(smoothed_variance, window_years=window_years)
    return (variance(years + 1) + variance(years - 1) - 2 * variance(years)) / 2


def overlap_structure(change_months: np.ndarray, window_years: float = 0.0) -> tuple[float, float, float]:
    """For yearly changes ending at these months, under a random walk: (bias, df, n_eff).

    bias = E[sample variance]/sigma², df = Satterthwaite's 2·E²/Var of the sample variance,
    n_eff = sigma²/Var(mean). Annual changes of the walk itself give (1, n-1, n). With a window the
    walk is seen through its moving average, and sigma² is still the walk's variance per year.
    """
    m = change_months.size
    apart = np.abs(change_months[:, None] - change_months[None, :])
    covariance = change_covariance(apart, window_years)  # the correlation for the walk itself
    centred = covariance - covariance.mean(axis=0, keepdims=True)  # (I - 11ᵀ/m) @ covariance
    trace = float(np.trace(centred))
    trace_of_square = float(np.sum(centred * centred.T))
    return trace / (m - 1), trace * trace / trace_of_square, m * m / float(covariance.sum())


def fit_drift(
    months: np.ndarray, x: np.ndarray, *, min_years: float, window_years: float = 0.0
) -> Drift | str:
    """Drift and spread of the yearly changes, or why the history is not enough (plain English).

    window_years: 0 when x is the level itself, 1 when it is a one-year moving average or total.
    """
    if not window_years >= 0:
        raise ValueError(f"window_years is {window_years}, expected 0 or more")
    change_months, changes = yearly_changes(months, x)
    if changes.size < 2:
        return f"needs at least 2 yearly changes (values 12 months apart); has {changes.size}"
    bias, df, effective_years = overlap_structure(change_months, window_years)
    if effective_years < min_years or df <= 0:
        return f"needs {min_years:.1f} years of yearly changes; has {effective_years:.1f}"
    sigma = math.sqrt(float(np.var(changes, ddof=1)) / bias)
    used = tuple(change_months.tolist())
    return Drift(float(np.mean(changes)), sigma, effective_years, df, window_years, used)


def error_variance(drift: Drift, last_month: int, target_month: int) -> float:
    """Var(x(T) - x(L) - H·mu_hat)/sigma²: the walk's spread over H plus the drift's uncertainty.

    For the walk itself, H + H²/n_eff. For its moving average, V(H) + H²/n_eff - 2H·c, where c is
    the mean covariance of the future change with the yearly changes behind mu_hat: the last year
    of changes shares part of its window with the future change (zero for the walk itself).
    """
    horizon = (target_month - last_month) / 12
    drift_part = horizon * horizon / drift.effective_years
    if drift.window_years == 0:
        return horizon + drift_part
    since = (last_month - np.asarray(drift.change_months)) / 12.0  # L - s, in years
    # every V needed in one call: Cov(x(T) - x(L), g(s)) = (V(H + since + 1) + V(since)
    # - V(H + since) - V(since + 1))·sigma²/2, then V(H) itself
    points = np.stack([horizon + since + 1, since, horizon + since, since + 1])
    values = smoothed_variance(np.append(points.ravel(), horizon), drift.window_years)
    after, at, before, behind = values[:-1].reshape(points.shape)
    shared = float(np.mean(after + at - before - behind)) / 2
    return max(float(values[-1]) + drift_part - 2 * horizon * shared, 0.0)


def meets(value: float, target: float, *, strictly_above: bool) -> bool:
    return value > target if strictly_above else value >= target


def probability_above(target: float, centre: float, scale: float, df: float, *, log: bool) -> float:
    """P(X > target) when (f(X) - centre)/scale follows Student t with df; f = log or identity."""
    if log and target <= 0:
        return 1.0
    threshold = math.log(target) if log else target
    if scale == 0:  # identical yearly changes: the forecast is a certainty
        return 1.0 if centre > threshold else 0.0
    return float(special.stdtr(df, (centre - threshold) / scale))


def predict(
    drift: Drift,
    last_month: int,
    last_value: float,
    target_month: int,
    *,
    log: bool,
    target: float | None = None,
) -> Outlook:
    """The forecast at target_month > last_month, in the value's unit (back from logs for flows)."""
    back = math.exp if log else float
    horizon = (target_month - last_month) / 12
    centre = (math.log(last_value) if log else last_value) + horizon * drift.mu
    scale = drift.sigma * math.sqrt(error_variance(drift, last_month, target_month))
    bounds = {}
    for level in LEVELS:
        half_width = float(special.stdtrit(drift.df, 1 - (1 - level) / 2)) * scale
        bounds[round(level * 100)] = (back(centre - half_width), back(centre + half_width))
    probability = None if target is None else probability_above(target, centre, scale, drift.df, log=log)
    return Outlook(
        point=back(centre),
        lower_80=bounds[80][0],
        upper_80=bounds[80][1],
        lower_95=bounds[95][0],
        upper_95=bounds[95][1],
        probability=probability,
        last_month=last_month,
        last_value=last_value,
        horizon_years=horizon,
        drift_per_year=drift.mu,
        effective_years=drift.effective_years,
        degrees_of_freedom=drift.df,
    )


def observed(
    value: float, month: int, drift: Drift | str, *, target: float | None, strictly_above: bool
) -> Outlook:
    """Horizon 0: the target month is observed, so the value is the outlook, without uncertainty."""
    probability = None if target is None else float(meets(value, target, strictly_above=strictly_above))
    fitted = drift if isinstance(drift, Drift) else None
    return Outlook(
        point=value,
        lower_80=value,
        upper_80=value,
        lower_95=value,
        upper_95=value,
        probability=probability,
        last_month=month,
        last_value=value,
        horizon_years=0.0,
        drift_per_year=fitted.mu if fitted else None,
        effective_years=fitted.effective_years if fitted else None,
        degrees_of_freedom=fitted.df if fitted else None,
    )


def outlook_for(
    series: Observations,
    drift: Drift | str,
    target_month: int,
    *,
    log: bool,
    target: float | None = None,
    strictly_above: bool = False,
) -> Outlook:
    """The outlook at target_month from a fitted series (fit once, ask for several target months)."""
    dropped = f"; {series.dropped} value(s) <= 0 left out (a log needs > 0)" if series.dropped else ""
    if series.months.size == 0:
        return Outlook(reason=f"no observation{dropped}")
    at_target = np.flatnonzero(series.months == target_month)
    if at_target.size:
        value = float(series.values[at_target[0]])
        return observed(value, target_month, drift, target=target, strictly_above=strictly_above)
    last_month, last_value = int(series.months[-1]), float(series.values[-1])
    last = {"last_month": last_month, "last_value": last_value}
    if last_month > target_month:
        before = f"target month {month_start(target_month):%Y-%m} is before the last observation"
        return Outlook(**last, reason=before)
    horizon = (target_month - last_month) / 12
    if isinstance(drift, str):
        return Outlook(**last, horizon_years=horizon, reason=drift + dropped)
    return predict(drift, last_month, last_value, target_month, log=log, target=target)


def forecast(
    months: Sequence[int],
    values: Sequence[float],
    target_month: int,
    *,
    log: bool,
    target: float | None = None,
    strictly_above: bool = False,
    min_years: float = 2.0,
    window_years: float = 0.0,
) -> Outlook:
    """The outlook of one series at target_month (a month_index); see docs/outlook.md.

    window_years: 0 when the values are the level itself; 1 when each is the total or average of
    the last twelve months (a moving annual total, or a ratio of two of them).
    """
    series = observations(months, values, log=log)
    drift = fit_drift(series.months, series.x, min_years=min_years, window_years=window_years)
    return outlook_for(series, drift, target_month, log=log, target=target, strictly_above=strictly_above)
