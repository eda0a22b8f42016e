"""How often the outlook's prediction intervals cover what happened (orchestration/outlook.py).

Not a test: it prints figures and asserts nothing. Usage:

    .venv/bin/python bench/outlook_backtest.py [--paths 2000] [--seed 2027] [--build-db PATH]

(a) Synthetic series, where the truth is known. Each process is simulated `--paths` times, fitted
    as of December of year 5 (and, for the monthly processes, as of June of year 5 with the later
    months hidden), and its December values of years 5 to 7 are forecast: horizons 0.5 to 2.5 years.
    For each process and horizon it prints the share of paths whose 80% and 95% intervals covered the
    simulated December value, and the mean width of those intervals as a % of the point forecast.
    - annual random walk: six December values (years 0-5) of a Gaussian random walk with drift in
      logs; the model's own assumptions with nothing overlapping, so coverage should be nominal;
    - monthly random walk: the same kind of walk observed every month of years 2-5 (48 months), so
      the yearly changes overlap;
    - MAT of seasonal flows: monthly flows = level x seasonal factor x noise, where in half of the
      years a late Chinese New Year moves 20-50% of January's output to February; the model sees the
      12-month moving annual total with January left out (there is no January report), as in
      production. The level is a random walk, but the moving total smooths it. Fitted with
      window_years=1 ([w 1], as production does through window_months = 12), and, for comparison,
      as if it were the level itself ([w 0], the model before the smoothing correction);
    - MAT of a plain walk: the same without seasonal factors, noise or New Year, so that the
      smoothing theory (a one-year average of the walk, in logs) is all that differs from the model.
    Reading it: the binomial standard error of a coverage is about 0.9 points at 80% and 0.5 at 95%
    for 2,000 paths (printed for the paths asked). Well below nominal means intervals too narrow
    (overconfident); above nominal, too wide.

(b) With --build-db: a back-test on a real warehouse. Reads intermediate.int_indicator_series
    (indicator_code, period, available_from, value, and window_months where the column exists; a
    missing column or value is 0) and the indicator kinds from
    reference.plan_indicators, both read-only. For every indicator, every as-of month and every later
    December in the series (at least one month after the last value available then), it fits on what
    was available at the as-of month and checks whether the intervals covered the December value in the
    warehouse today. Forecasts that share a path (the same December seen from several as-of months,
    the same history feeding several Decembers) are far from independent: a few years of data can make
    a coverage of 100% or 0% by luck, so read the counts beside the shares.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from orchestration.outlook import Outlook, fit_drift, month_index, observations, outlook_for

MU, SIGMA = 0.08, 0.05  # log growth per year and its standard deviation: about the plan's pace
YEARS = 8  # simulated years 0..7; history ends in year 5, Decembers of years 5..7 are forecast
SEASONAL = np.array([0.78, 0.70, 0.95, 0.97, 1.00, 1.03, 0.96, 1.00, 1.05, 1.07, 1.12, 1.37])
NOISE = 0.05  # monthly log noise of a flow around its level
DECEMBER_Y5 = 5 * 12 + 11
JUNE_Y5 = 5 * 12 + 5


@dataclass(frozen=True)
class Process:
    """A simulated process: values (paths x months, NaN where not observed) and how it is fitted."""

    values: np.ndarray
    first_month: int  # the history starts here
    as_of_months: tuple[int, ...]
    windows: tuple[float, ...] = (0.0,)  # window_years to fit with: the first is the right one


@dataclass
class Tally:
    """Coverage counts for one group of forecasts."""

    forecasts: int = 0
    covered_80: int = 0
    covered_95: int = 0
    width_80: float = 0.0  # summed widths, % of the point forecast
    width_95: float = 0.0
    no_forecast: int = 0

    def add(self, outlook: Outlook, truth: float) -> None:
        if outlook.point is None:
            self.no_forecast += 1
            return
        self.forecasts += 1
        self.covered_80 += outlook.lower_80 <= truth <= outlook.upper_80
        self.covered_95 += outlook.lower_95 <= truth <= outlook.upper_95
        self.width_80 += 100 * (outlook.upper_80 - outlook.lower_80) / abs(outlook.point)
        self.width_95 += 100 * (outlook.upper_95 - outlook.lower_95) / abs(outlook.point)

    def line(self, label: str) -> str:
        missing = f"  ({self.no_forecast} without enough history)" if self.no_forecast else ""
        if not self.forecasts:
            return f"{label:<48} {0:>9}{missing}"
        n = self.forecasts
        shares = f"{100 * self.covered_80 / n:6.1f}% {100 * self.covered_95 / n:6.1f}%"
        widths = f"{self.width_80 / n:8.1f}% {self.width_95 / n:8.1f}%"
        return f"{label:<48} {n:>9} {shares} {widths}{missing}"


HEADER = f"{'':<48} {'forecasts':>9} {'cov80':>7} {'cov95':>7} {'width80':>9} {'width95':>9}"


def random_walk(rng: np.random.Generator, paths: int, months: int) -> np.ndarray:
    """Log levels of a Gaussian random walk with drift, month by month: paths x months."""
    steps = MU / 12 + SIGMA / np.sqrt(12) * rng.standard_normal((paths, months))
    return np.log(100.0) + np.cumsum(steps, axis=1)


def seasonal_flows(rng: np.random.Generator, paths: int, months: int) -> np.ndarray:
    """Monthly flows: random-walk level x seasonal factor x noise, with Chinese New Year shifts."""
    flows = np.exp(random_walk(rng, paths, months) + NOISE * rng.standard_normal((paths, months)))
    flows *= np.resize(SEASONAL / SEASONAL.mean(), months)
    for january in range(0, months - 1, 12):
        late_new_year = rng.random(paths) < 0.5  # part of January's output is made in February
        moved = flows[:, january] * rng.uniform(0.2, 0.5, paths) * late_new_year
        flows[:, january] -= moved
        flows[:, january + 1] += moved
    return flows


def moving_annual_total(flows: np.ndarray) -> np.ndarray:
    """Sum of the last 12 months; NaN where a year is incomplete and in January (no report)."""
    cumulative = np.cumsum(flows, axis=1)
    total = np.full(flows.shape, np.nan)
    total[:, 11] = cumulative[:, 11]
    total[:, 12:] = cumulative[:, 12:] - cumulative[:, :-12]
    total[:, 12::12] = np.nan
    return total


def synthetic_processes(rng: np.random.Generator, paths: int) -> dict[str, Process]:
    """Six annual values, or four years of monthly values, before the forecast Decembers."""
    months = YEARS * 12
    annual = np.full((paths, months), np.nan)
    annual[:, 11::12] = np.exp(random_walk(rng, paths, months)[:, 11::12])
    monthly = np.exp(random_walk(rng, paths, months))
    mat = moving_annual_total(seasonal_flows(rng, paths, months))
    plain_mat = moving_annual_total(np.exp(random_walk(rng, paths, months)))
    four_years, both = DECEMBER_Y5 - 47, (DECEMBER_Y5, JUNE_Y5)
    return {
        "annual random walk": Process(annual, 0, (DECEMBER_Y5,)),
        "monthly random walk": Process(monthly, four_years, both),
        "MAT of seasonal flows, no January": Process(mat, four_years, both, (1.0, 0.0)),
        "MAT of a plain walk, no January": Process(plain_mat, four_years, both, (1.0, 0.0)),
    }


def process_coverage(process: Process, window_years: float) -> dict[float, Tally]:
    """Coverage by horizon in years, the model fitted once per path and as-of month."""
    months = np.arange(process.values.shape[1])
    decembers = months[11::12]
    tallies: dict[float, Tally] = defaultdict(Tally)
    for as_of in process.as_of_months:
        history = (months >= process.first_month) & (months <= as_of)
        for path in process.values:
            series = observations(months[history], path[history], log=True)
            drift = fit_drift(series.months, series.x, min_years=2.0, window_years=window_years)
            for december in decembers[decembers > series.months[-1]]:
                horizon = (december - series.months[-1]) / 12
                tallies[horizon].add(outlook_for(series, drift, int(december), log=True), path[december])
    return tallies


def synthetic_coverage(paths: int, seed: int) -> None:
    print(f"(a) Synthetic series, {paths} paths each; drift {MU:.0%} a year, sd {SIGMA:.0%} a year.")
    print(f"    Binomial standard error at {paths} paths: {100 * (0.8 * 0.2 / paths) ** 0.5:.1f} points at")
    print(f"    80%, {100 * (0.95 * 0.05 / paths) ** 0.5:.1f} at 95%. Widths: % of the point forecast.")
    print("    [w 1]: fitted as a one-year moving average (window_years=1, as in production);")
    print("    [w 0]: the same paths fitted as if they were the level itself (uncorrected).")
    print(HEADER)
    for name, process in synthetic_processes(np.random.default_rng(seed), paths).items():
        by_window = {window: process_coverage(process, window) for window in process.windows}
        for horizon in sorted(by_window[process.windows[0]]):
            for window, tallies in by_window.items():
                tag = f" [w {window:.0f}]" if len(by_window) > 1 else ""
                print(tallies[horizon].line(f"{name}, {horizon:.1f} y{tag}"))
    print()


def warehouse_rows(build_db: str) -> tuple[list[tuple], dict[str, str]]:
    """The indicator series (with window_months, 0 where absent) and each indicator's kind, read-only."""
    import duckdb

    with duckdb.connect(build_db, read_only=True) as connection:
        columns = connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'intermediate' and table_name = 'int_indicator_series'"
        ).fetchall()
        window = "coalesce(window_months, 0)" if ("window_months",) in columns else "0"
        rows = connection.execute(
            f"select indicator_code, period, available_from, value, {window} "
            "from intermediate.int_indicator_series order by indicator_code, period"
        ).fetchall()
        kinds = connection.execute(
            "select distinct indicator_code, indicator_kind from reference.plan_indicators"
        ).fetchall()
    return rows, dict(kinds)


def backtest_indicator(rows: list[tuple], *, log: bool) -> list[tuple[float, Outlook, float]]:
    """(horizon in years, outlook, December value) for every as-of month and later December."""
    window_years = max(int(row[4]) for row in rows) / 12  # window_months, one per indicator
    available = np.array([month_index(row[2]) for row in rows])
    months = np.array([month_index(row[1]) for row in rows])
    values = np.array([np.nan if row[3] is None else float(row[3]) for row in rows])
    truth = dict(zip(months.tolist(), values.tolist(), strict=True))
    decembers = [month for month in sorted(truth) if month % 12 == 11 and np.isfinite(truth[month])]
    forecasts = []
    for as_of in range(int(available.min()), int(months.max()) + 1):
        usable = available <= as_of
        series = observations(months[usable], values[usable], log=log)
        if series.months.size == 0:
            continue
        drift = fit_drift(series.months, series.x, min_years=2.0, window_years=window_years)
        for december in (month for month in decembers if month > series.months[-1]):
            horizon = (december - series.months[-1]) / 12
            forecasts.append((horizon, outlook_for(series, drift, december, log=log), truth[december]))
    return forecasts


def horizon_bucket(years: float) -> str:
    return "< 1 year" if years < 1 else "1-2 years" if years <= 2 else "> 2 years"


def warehouse_backtest(build_db: str) -> None:
    rows, kinds = warehouse_rows(build_db)
    print(f"(b) Back-test on {build_db}: intermediate.int_indicator_series, {len(rows)} values.")
    print("    Forecasts that share a path are NOT independent (one December seen from many as-of")
    print("    months, one history behind several Decembers): read the counts beside the shares.")
    print("    Widths: % of the point forecast.")
    by_indicator: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_indicator[row[0]].append(row)
    by_code: dict[str, Tally] = defaultdict(Tally)
    by_horizon: dict[str, Tally] = defaultdict(Tally)
    for code, indicator_rows in sorted(by_indicator.items()):
        if kinds.get(code) not in ("flow", "ratio"):
            print(f"    {code}: no indicator_kind in reference.plan_indicators, left out")
            continue
        for horizon, outlook, truth in backtest_indicator(indicator_rows, log=kinds[code] == "flow"):
            by_code[code].add(outlook, truth)
            by_horizon[horizon_bucket(horizon)].add(outlook, truth)
    print(HEADER)
    for code, tally in by_code.items():
        print(tally.line(f"{code}, every horizon"))
    for bucket in ("< 1 year", "1-2 years", "> 2 years"):
        if bucket in by_horizon:
            print(by_horizon[bucket].line(f"every indicator, horizon {bucket}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=2000, help="simulated paths per process")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--build-db", help="a planwatch build database to back-test on (opened read-only)")
    arguments = parser.parse_args()
    synthetic_coverage(arguments.paths, arguments.seed)
    if arguments.build_db:
        warehouse_backtest(arguments.build_db)


if __name__ == "__main__":
    main()
