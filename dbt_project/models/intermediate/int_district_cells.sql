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

reporting_units as (

    select * from {{ ref('reporting_units') }}

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

district_periods as (

    -- every reporting unit in every period, also where no enterprise filed
    select
        periods.period,
        reporting_units.district_code,
        reporting_units.district_name

    from periods

    cross join reporting_units

),

district_aggregates as (

    select
        enterprise_months.period,
        enterprise_months.district_code,
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
        enterprise_months.district_code

),

district_surveys as (

    {{ survey_rates('district_code') }}

),

cells as (

    select
        district_periods.period,
        district_periods.district_code,
        district_periods.district_name,
        cast(coalesce(district_aggregates.enterprise_count, 0) as bigint) as enterprise_count,
        district_aggregates.revenue_ytd_wan,
        district_aggregates.revenue_yoy_pct,
        district_aggregates.rd_ytd_wan,
        district_aggregates.rd_intensity_pct,
        cast(coalesce(district_aggregates.rd_missing_enterprises, 0) as bigint) as rd_missing_enterprises,
        cast(coalesce(district_surveys.surveyed_count, 0) as bigint) as surveyed_count,
        district_surveys.digitalization_rate_pct,
        district_aggregates.top_revenue_share

    from district_periods

    left join district_aggregates
        on district_periods.period = district_aggregates.period
            and district_periods.district_code = district_aggregates.district_code

    left join district_surveys
        on district_periods.district_code = district_surveys.district_code
            and {{ period_year('district_periods.period') }} = district_surveys.survey_year

),

-- flagged: the cells with their disclosure flags (primary and secondary suppression)
{{ suppression_flags('district_code', high_water_mark='input_high_water_mark') }}

select * from flagged
