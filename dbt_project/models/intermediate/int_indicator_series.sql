{#-
    The series the 2027 outlook is fitted to (models/marts/indicator_outlook.yml names the method).
    Year-to-date figures are seasonal, so a monthly indicator is turned into its moving annual total
    (MAT, the last twelve months): MAT(t) = YTD(t) + annual(y − 1) − YTD(t − 12 months), which in
    December is the year's own value, the figure the plan's target is set on. January is left out: a
    single month's figure depends on when the Spring Festival falls, which is why the bureau publishes
    January and February together. R&D intensity is the ratio of the MATs of R&D and of the revenue
    of the enterprises the ratio covers (recovered as R&D ÷ intensity). The digitalization rate is an
    annual survey: its value describes December of the survey year and is usable from January.
-#}

with

year_to_date as (

    select
        indicator_values.period,
        max(indicator_values.actual_value) filter (where indicator_values.indicator_code = 'revenue') as revenue_yi,
        max(indicator_values.actual_value) filter (where indicator_values.indicator_code = 'rd_spend') as rd_yi,
        -- the revenue of the enterprises the R&D ratio covers (those that filed both values)
        max(indicator_values.actual_value) filter (where indicator_values.indicator_code = 'rd_spend')
        / nullif(max(indicator_values.actual_value) filter (where indicator_values.indicator_code = 'rd_intensity'), 0)
        * 100 as rd_covered_revenue_yi

    from {{ ref('int_indicator_values') }} as indicator_values

    group by indicator_values.period

),

moving_annual as (

    select
        current_month.period,
        current_month.revenue_yi + last_december.revenue_yi - year_before.revenue_yi as revenue_yi,
        current_month.rd_yi + last_december.rd_yi - year_before.rd_yi as rd_yi,
        current_month.rd_covered_revenue_yi + last_december.rd_covered_revenue_yi
        - year_before.rd_covered_revenue_yi as rd_covered_revenue_yi

    from year_to_date as current_month

    inner join year_to_date as year_before
        on year_before.period = current_month.period - interval 12 month

    inner join year_to_date as last_december
        on last_december.period = make_date({{ period_year('current_month.period') }} - 1, 12, 1)

    where {{ period_month('current_month.period') }} <> 1

),

monthly as (

    select
        'revenue' as indicator_code,
        period,
        period as available_from,
        revenue_yi as value
    from moving_annual
    union all
    select
        'rd_spend' as indicator_code,
        period,
        period as available_from,
        rd_yi as value
    from moving_annual
    union all
    select
        'rd_intensity' as indicator_code,
        period,
        period as available_from,
        100 * rd_yi / nullif(rd_covered_revenue_yi, 0) as value
    from moving_annual

),

surveys as (

    select
        'digitalization_rate' as indicator_code,
        make_date(survey_years.survey_year, 12, 1) as period,
        make_date(survey_years.survey_year, 1, 1) as available_from,
        survey_years.digitalization_rate_pct as value

    from {{ ref('int_survey_years') }} as survey_years

),

unioned as (

    select
        monthly.*,
        -- a moving annual total is smoothed over twelve months, which the model allows for
        12 as window_months
    from monthly
    where monthly.value is not null
    union all
    select
        surveys.*,
        0 as window_months
    from surveys

),

final as (

    select
        {{- contract_columns('unioned') }}

    from unioned

)

select * from final
