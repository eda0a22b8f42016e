{#-
    The months the warehouse tracks, decided once: January of var('dq_baseline_year') (by default
    the earliest baseline year of the plans) to the as-of month (var('as_of_period'), by default the
    month the run started in Beijing time). A period outside is a typo (DQ14) and counts nowhere;
    the feedback workbooks file findings by the same window.
-#}

with

period_window as (

    select
        {{ dq_as_of_period() }} as last_period,
        make_date(
            coalesce(
                cast({{ var('dq_baseline_year', 'null') }} as integer),
                min(plan_indicators.baseline_year)
            ),
            1,
            1
        ) as first_period

    from {{ ref('plan_indicators') }} as plan_indicators

)

select * from period_window
