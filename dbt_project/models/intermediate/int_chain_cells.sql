{{
    config(
        materialized='incremental',
        unique_key='period',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="{{ delete_periods_gone_from(ref('int_enterprise_months_yoy')) }}"
    )
}}

{#-
    Incremental by period: a run rebuilds the periods int_enterprise_months_yoy rebuilt since the
    last build (their rows carry a newer loaded_at), every period of a year whose survey received
    rows or lost a file (withdrawn, superseded) since, and every period when the disclosure
    settings changed; a period gone from the input is deleted by the post-hook. A cell reads only
    its own period and its year's survey, so nothing else moves.
-#}

{%- set rebuild_all = incremental_rebuild_all('disclosure_settings', disclosure_settings()) %}

with

chains as (

    select * from {{ ref('chains') }}

),

all_enterprise_months as (

    select * from {{ ref('int_enterprise_months_yoy') }}

),

enterprise_surveys as (

    select * from {{ ref('int_enterprise_surveys') }}

),

surveys as (

    select * from {{ ref('stg_raw__surveys') }}

),

ledger as (

    select * from {{ source('raw', 'ingest_ledger') }}

),

-- enterprise_months: the periods to build (all, or those rebuilt upstream and those of a year
-- whose survey changed)
{{ enterprise_months_to_build(rebuild_all, with_surveys=true) }},

periods as (

    select distinct enterprise_months.period from enterprise_months

),

chain_periods as (

    -- every chain in every period, also where no enterprise filed
    select
        periods.period,
        chains.chain_code,
        chains.chain_name_zh,
        chains.tier

    from periods

    cross join chains

),

chain_aggregates as (

    select
        enterprise_months.period,
        enterprise_months.chain_code,
        count(*) as enterprise_count,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan,
        {{ like_for_like_growth_pct('enterprise_months.revenue_ytd_wan', 'enterprise_months.prior_revenue_ytd_wan') }}
            as revenue_yoy_pct,
        sum(enterprise_months.rd_ytd_wan) as rd_ytd_wan,
        {{ ratio_of_sums_pct('enterprise_months.rd_ytd_wan', 'enterprise_months.revenue_ytd_wan') }}
            as rd_intensity_pct,
        {{ count_missing('enterprise_months.rd_ytd_wan') }} as rd_missing_enterprises,
        {{ top_share('enterprise_months.revenue_ytd_wan') }} as top_revenue_share

    from enterprise_months

    group by
        enterprise_months.period,
        enterprise_months.chain_code

),

chain_surveys as (

    {{ survey_rates('chain_code') }}

),

cells as (

    select
        chain_periods.period,
        chain_periods.chain_code,
        chain_periods.chain_name_zh,
        chain_periods.tier,
        cast(coalesce(chain_aggregates.enterprise_count, 0) as bigint) as enterprise_count,
        chain_aggregates.revenue_ytd_wan,
        chain_aggregates.revenue_yoy_pct,
        chain_aggregates.rd_ytd_wan,
        chain_aggregates.rd_intensity_pct,
        cast(coalesce(chain_aggregates.rd_missing_enterprises, 0) as bigint) as rd_missing_enterprises,
        cast(coalesce(chain_surveys.surveyed_count, 0) as bigint) as surveyed_count,
        chain_surveys.digitalization_rate_pct,
        chain_aggregates.top_revenue_share

    from chain_periods

    left join chain_aggregates
        on chain_periods.period = chain_aggregates.period
            and chain_periods.chain_code = chain_aggregates.chain_code

    left join chain_surveys
        on chain_periods.chain_code = chain_surveys.chain_code
            and {{ period_year('chain_periods.period') }} = chain_surveys.survey_year

),

-- flagged: the cells with their disclosure flags (primary and secondary suppression)
{{ suppression_flags('chain_code', high_water_mark='input_high_water_mark') }}

select * from flagged
