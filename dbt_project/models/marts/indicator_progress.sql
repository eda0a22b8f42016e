with

plan_indicators as (select * from {{ ref('plan_indicators') }}),

indicator_values as (select * from {{ ref('int_indicator_values') }}),

indicator_annuals as (select * from {{ ref('int_indicator_annuals') }}),

lines_in_doubt as (select * from {{ ref('int_lines_in_doubt') }}),

periods as (

    select distinct indicator_values.period from indicator_values

),

plan_periods as (

    -- every indicator of every plan for every period in the warehouse
    select
        plan_indicators.plan_id,
        plan_indicators.indicator_code,
        plan_indicators.indicator_name_zh,
        plan_indicators.unit,
        plan_indicators.indicator_kind,
        plan_indicators.baseline_year,
        plan_indicators.baseline_value as published_baseline_value,
        plan_indicators.target_year,
        plan_indicators.target_value,
        -- 突破 10000 亿元: in the target year the value must exceed the target, not reach it
        coalesce(plan_indicators.target_comparison = 'above', false)
        and {{ period_year('periods.period') }} >= plan_indicators.target_year as must_exceed_path,
        periods.period,
        {{ period_year('periods.period') }} as period_year,
        {{ latest_complete_year('periods.period') }} as latest_complete_year

    from plan_indicators

    cross join periods

),

joined as (

    select
        plan_periods.*,
        indicator_values.actual_value,
        indicator_values.yoy_growth_pct,
        indicator_values.rd_missing_enterprises,
        indicator_values.revenue_missing_enterprises,
        -- the indicators summed over filings say how many missing values they left out; the survey's do not
        case
            when coalesce(indicator_values.rd_missing_enterprises, indicator_values.revenue_missing_enterprises)
                is not null
                then coalesce(lines_in_doubt.lines_in_doubt, 0)
        end as lines_in_doubt,
        prior_annuals.annual_value as prior_annual_value,
        latest_annuals.annual_value as latest_annual_value,
        coalesce(plan_periods.published_baseline_value, baseline_annuals.annual_value) as baseline_value,
        case
            when plan_periods.published_baseline_value is not null then 'published'
            when baseline_annuals.annual_value is not null then 'computed'
        end as baseline_source

    from plan_periods

    left join indicator_values
        on plan_periods.indicator_code = indicator_values.indicator_code
            and plan_periods.period = indicator_values.period

    left join lines_in_doubt
        on plan_periods.indicator_code = lines_in_doubt.indicator_code
            and plan_periods.period = lines_in_doubt.period

    left join indicator_annuals as prior_annuals
        on plan_periods.indicator_code = prior_annuals.indicator_code
            and plan_periods.period_year - 1 = prior_annuals.annual_year

    left join indicator_annuals as latest_annuals
        on plan_periods.indicator_code = latest_annuals.indicator_code
            and plan_periods.latest_complete_year = latest_annuals.annual_year

    left join indicator_annuals as baseline_annuals
        on plan_periods.indicator_code = baseline_annuals.indicator_code
            and plan_periods.baseline_year = baseline_annuals.annual_year

),

progress as (

    select
        joined.*,

        case
            when joined.indicator_kind = 'flow'
                then {{ projected_annual(
                    'joined.period',
                    'joined.actual_value',
                    'joined.prior_annual_value',
                    'joined.yoy_growth_pct'
                ) }}
            -- a ratio's latest year-to-date value is its projection
            else joined.actual_value
        end as projected_annual,

        {{ plan_trajectory(
            'joined.indicator_kind',
            'joined.baseline_value',
            'joined.target_value',
            'joined.period_year',
            'joined.baseline_year',
            'joined.target_year'
        ) }} as trajectory_value,

        {{ required_growth_pct(
            'joined.indicator_kind',
            'joined.target_value',
            'joined.latest_annual_value',
            'joined.latest_complete_year',
            'joined.target_year'
        ) }} as required_growth_pct,

        {{ required_growth_unit('joined.indicator_kind') }} as required_growth_unit

    from joined

),

final as (

    select
        progress.plan_id,
        progress.indicator_code,
        progress.indicator_name_zh,
        progress.unit,
        progress.period,
        cast(progress.actual_value as double) as actual_value,
        cast(
            case when progress.indicator_kind = 'flow' then progress.yoy_growth_pct end
            as double
        ) as yoy_growth_pct,
        cast(progress.projected_annual as double) as projected_annual,
        progress.baseline_year,
        cast(progress.baseline_value as double) as baseline_value,
        progress.target_year,
        cast(progress.target_value as double) as target_value,
        cast(progress.trajectory_value as double) as trajectory_value,
        cast(progress.required_growth_pct as double) as required_growth_pct,
        -- a ratio's projection is its latest value (progress CTE), so one comparison serves both kinds
        case
            when progress.projected_annual is null or progress.trajectory_value is null then 'no_data'
            when {{ meets_path('progress.projected_annual', 'progress.trajectory_value', 'progress.must_exceed_path') }}
                then 'on_track'
            else 'behind'
        end as status,
        progress.baseline_source,
        cast(progress.required_growth_unit as varchar) as required_growth_unit,
        cast(progress.rd_missing_enterprises as bigint) as rd_missing_enterprises,
        cast(progress.revenue_missing_enterprises as bigint) as revenue_missing_enterprises,
        cast(progress.indicator_kind as varchar) as indicator_kind,
        cast(progress.lines_in_doubt as bigint) as lines_in_doubt

    from progress

)

select * from final
