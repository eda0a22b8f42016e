{{ config(severity='error', meta={'dagster': {'ref': {'name': 'district_monthly'}}}) }}

-- Revenue summed over the reporting units of the seed (before suppression) equals the revenue
-- indicator of every plan in every period, within 1e-6 relative; and district_monthly counts
-- every filing enterprise exactly once. Fails when an enterprise has no (or an unknown)
-- reporting unit. Returns the periods that disagree.

with

enterprise_months as (

    select * from {{ ref('int_enterprise_months') }}

),

reporting_units as (

    select * from {{ ref('reporting_units') }}

),

district_monthly as (

    select * from {{ ref('district_monthly') }}

),

indicator_progress as (

    select * from {{ ref('indicator_progress') }}

),

district_totals as (

    select
        enterprise_months.period,
        {{ wan_to_yi('sum(enterprise_months.revenue_ytd_wan)') }} as revenue_ytd_yi,
        count(*) as enterprise_count

    from enterprise_months

    inner join reporting_units
        on enterprise_months.district_code = reporting_units.district_code

    group by enterprise_months.period

),

published_counts as (

    select
        district_monthly.period,
        sum(district_monthly.enterprise_count) as enterprise_count

    from district_monthly

    group by district_monthly.period

),

revenue_totals as (

    select
        indicator_progress.plan_id,
        indicator_progress.period,
        indicator_progress.actual_value

    from indicator_progress

    where indicator_progress.indicator_code = 'revenue'

)

select
    revenue_totals.plan_id,
    revenue_totals.period,
    revenue_totals.actual_value,
    district_totals.revenue_ytd_yi,
    district_totals.enterprise_count,
    published_counts.enterprise_count as published_enterprise_count

from revenue_totals

left join district_totals
    on revenue_totals.period = district_totals.period

left join published_counts
    on revenue_totals.period = published_counts.period

where
    abs(coalesce(district_totals.revenue_ytd_yi, 0) - coalesce(revenue_totals.actual_value, 0))
        > 1e-6 * abs(coalesce(revenue_totals.actual_value, 0))
    or coalesce(district_totals.enterprise_count, 0) <> coalesce(published_counts.enterprise_count, 0)
