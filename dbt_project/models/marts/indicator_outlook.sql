{#- A forecast or bound of a percentage share stays within 0..100 (CTE bounded); the plan's path is
    its value in the outlook's target year. -#}
{%- set computed = {'plan_path_value': plan_trajectory(
    'progress.indicator_kind',
    'progress.baseline_value',
    'progress.target_value',
    'bounded.target_year',
    'progress.baseline_year',
    'progress.target_year'
)} -%}
{%- for bound in ['point_forecast', 'lower_80', 'upper_80', 'lower_95', 'upper_95'] -%}
{%- do computed.update({bound: within_share('bounded.' ~ bound, 'bounded.is_share')}) -%}
{%- endfor -%}

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
        {{- contract_columns('bounded', computed=computed) }}

    from bounded

    -- the plan's baseline and target as of the outlook's month
    left join progress
        on bounded.plan_id = progress.plan_id
            and bounded.indicator_code = progress.indicator_code
            and bounded.as_of_period = progress.period

)

select * from final
