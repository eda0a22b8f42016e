{{ config(post_hook="{{ delete_periods_gone_from(ref('int_enterprise_months_yoy')) }}") }}

{#-
    How each indicator the warehouse knows is computed (docs/indicators.md). Plans only
    choose indicators by code and set their targets (seed plan_indicators); the definitions live here.

    Incremental by period: a period's values read only its own enterprise months and its year's
    survey, so a run rebuilds the periods int_enterprise_months_yoy rebuilt since the last build
    and every period of a year whose survey changed; a period gone from the input is deleted by
    the post-hook.
-#}

{%- set rebuild_all = incremental_rebuild_all() %}

with

all_enterprise_months as (select * from {{ ref('int_enterprise_months_yoy') }}),

survey_years as (select * from {{ ref('int_survey_years') }}),

surveys as (select * from {{ ref('stg_raw__surveys') }}),

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

-- enterprise_months: the periods to build (all, or those rebuilt upstream and those of a year
-- whose survey changed)
{{ enterprise_months_to_build(rebuild_all, with_surveys=true) }},

monthly_totals as (

    select
        enterprise_months.period,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan,
        sum(enterprise_months.rd_ytd_wan) as rd_ytd_wan,
        {{ like_for_like_growth_pct('enterprise_months.revenue_ytd_wan', 'enterprise_months.prior_revenue_ytd_wan') }}
            as revenue_yoy_pct,
        {{ like_for_like_growth_pct('enterprise_months.rd_ytd_wan', 'enterprise_months.prior_rd_ytd_wan') }}
            as rd_yoy_pct,
        {{ ratio_of_sums_pct('enterprise_months.rd_ytd_wan', 'enterprise_months.revenue_ytd_wan') }}
            as rd_intensity_pct,
        {{ count_missing('enterprise_months.rd_ytd_wan') }} as rd_missing_enterprises,
        {{ count_missing('enterprise_months.revenue_ytd_wan') }} as revenue_missing_enterprises

    from enterprise_months

    group by enterprise_months.period

),

{%- set amounts = [('revenue', 'revenue'), ('rd_spend', 'rd')] %}

amounts as (

    -- revenue and R&D spend: the year-to-date sum in 亿元 and its like-for-like growth
    {%- for indicator_code, measure in amounts %}
    select
        '{{ indicator_code }}' as indicator_code,
        monthly_totals.period,
        {{ wan_to_yi('monthly_totals.' ~ measure ~ '_ytd_wan') }} as actual_value,
        monthly_totals.{{ measure }}_yoy_pct as yoy_growth_pct,
        -- each sum leaves out an enterprise that filed its measure blank: say how many did
        cast({{ 'monthly_totals.rd_missing_enterprises' if measure == 'rd' else 'null' }} as bigint)
            as rd_missing_enterprises,
        cast({{ 'monthly_totals.revenue_missing_enterprises' if measure == 'revenue' else 'null' }} as bigint)
            as revenue_missing_enterprises

    from monthly_totals
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}

),

rd_intensity as (

    select
        'rd_intensity' as indicator_code,
        monthly_totals.period,
        monthly_totals.rd_intensity_pct as actual_value,
        cast(null as double) as yoy_growth_pct,
        -- the ratio is taken over the enterprises that filed both values: say how many it left out
        monthly_totals.rd_missing_enterprises,
        monthly_totals.revenue_missing_enterprises

    from monthly_totals

),

digitalization_rate as (

    -- an annual survey: every month of year y shows the survey of year y
    select
        'digitalization_rate' as indicator_code,
        monthly_totals.period,
        survey_years.digitalization_rate_pct as actual_value,
        cast(null as double) as yoy_growth_pct,
        cast(null as bigint) as rd_missing_enterprises,
        cast(null as bigint) as revenue_missing_enterprises

    from monthly_totals

    left join survey_years
        on {{ period_year('monthly_totals.period') }} = survey_years.survey_year

),

unioned as (

    select * from amounts
    union all
    select * from rd_intensity
    union all
    select * from digitalization_rate

),

final as (

    select
        {{- contract_columns('unioned', computed={'loaded_at': 'input_high_water_mark.loaded_at'}) }}

    from unioned

    cross join input_high_water_mark

)

select * from final
