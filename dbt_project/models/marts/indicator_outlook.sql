with

outlook as (select * from {{ ref('int_indicator_outlook') }}),

progress as (select * from {{ ref('indicator_progress') }}),

bounded as (

    -- a percentage share cannot leave 0..100: the distribution of a ratio is censored there, which
    -- moves no probability of a target inside the range
    select
        outlook.*,
        outlook.method = 'level_drift' and outlook.unit = '%' as is_share

    from outlook

),

final as (

    select
        cast(bounded.plan_id as varchar) as plan_id,
        cast(bounded.indicator_code as varchar) as indicator_code,
        cast(bounded.indicator_name_zh as varchar) as indicator_name_zh,
        cast(bounded.unit as varchar) as unit,
        cast(bounded.as_of_period as date) as as_of_period,
        cast(bounded.target_year as integer) as target_year,
        cast(bounded.is_plan_target_year as boolean) as is_plan_target_year,
        cast(bounded.target_value as double) as target_value,
        cast(bounded.target_comparison as varchar) as target_comparison,
        cast({{ within_share('bounded.point_forecast', 'bounded.is_share') }} as double) as point_forecast,
        cast({{ within_share('bounded.lower_80', 'bounded.is_share') }} as double) as lower_80,
        cast({{ within_share('bounded.upper_80', 'bounded.is_share') }} as double) as upper_80,
        cast({{ within_share('bounded.lower_95', 'bounded.is_share') }} as double) as lower_95,
        cast({{ within_share('bounded.upper_95', 'bounded.is_share') }} as double) as upper_95,
        cast(bounded.probability_meets_target as double) as probability_meets_target,
        cast(bounded.last_observed_period as date) as last_observed_period,
        cast(bounded.last_observed_value as double) as last_observed_value,
        cast(bounded.horizon_years as double) as horizon_years,
        cast(bounded.drift_per_year as double) as drift_per_year,
        cast(bounded.effective_years as double) as effective_years,
        cast(bounded.method as varchar) as method,
        cast(bounded.note as varchar) as note,
        cast({{ plan_trajectory(
            'progress.indicator_kind',
            'progress.baseline_value',
            'progress.target_value',
            'bounded.target_year',
            'progress.baseline_year',
            'progress.target_year'
        ) }} as double) as plan_path_value

    from bounded

    -- the plan's baseline and target as of the outlook's month
    left join progress
        on bounded.plan_id = progress.plan_id
            and bounded.indicator_code = progress.indicator_code
            and bounded.as_of_period = progress.period

)

select * from final
