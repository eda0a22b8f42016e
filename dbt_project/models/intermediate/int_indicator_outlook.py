"""The 2027 outlook, fitted in Python: the statistics (a t distribution) are not in SQL.

The method and its assumptions are in orchestration/outlook.py and models/marts/indicator_outlook.yml;
this model only feeds it the series, the plans and the as-of periods, and marts.indicator_outlook
gives the result its contract.
"""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    # imported here: dbt loads this file on its own, and the package is installed beside dbt
    from orchestration.outlook_table import outlook_table

    min_years = float(dbt.config.get("outlook_min_years"))
    series = dbt.ref("int_indicator_series").df()
    plans = dbt.ref("plan_indicators").df()
    periods = dbt.ref("int_indicator_values").df()["period"]
    for column in ("period", "available_from"):
        series[column] = pd.to_datetime(series[column]).dt.date
    as_of = sorted(set(pd.to_datetime(periods).dt.date))
    return outlook_table(series, plans, as_of, min_years=min_years)
