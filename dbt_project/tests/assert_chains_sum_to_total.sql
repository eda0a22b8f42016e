{{ config(severity='error', meta={'dagster': {'ref': {'name': 'chain_monthly'}}}) }}

-- Revenue summed over the chains of the seed (before suppression) equals the revenue indicator
-- of every plan in every period, within 1e-6 relative; and chain_monthly counts every filing
-- enterprise exactly once. Returns the periods that disagree.

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

chains as (select * from {{ ref('chains') }}),

chain_monthly as (select * from {{ ref('chain_monthly') }}),

indicator_progress as (select * from {{ ref('indicator_progress') }}),

chain_totals as (

    select
        enterprise_months.period,
        {{ wan_to_yi('sum(enterprise_months.revenue_ytd_wan)') }} as revenue_ytd_yi,
        count(*) as enterprise_count

    from enterprise_months

    inner join chains
        on enterprise_months.chain_code = chains.chain_code

    group by enterprise_months.period

),

published_counts as (

    select
        chain_monthly.period,
        sum(chain_monthly.enterprise_count) as enterprise_count

    from chain_monthly

    group by chain_monthly.period

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
    chain_totals.revenue_ytd_yi,
    chain_totals.enterprise_count,
    published_counts.enterprise_count as published_enterprise_count

from revenue_totals

left join chain_totals
    on revenue_totals.period = chain_totals.period

left join published_counts
    on revenue_totals.period = published_counts.period

where
    abs(coalesce(chain_totals.revenue_ytd_yi, 0) - coalesce(revenue_totals.actual_value, 0))
    > 1e-6 * abs(coalesce(revenue_totals.actual_value, 0))
    or coalesce(chain_totals.enterprise_count, 0) <> coalesce(published_counts.enterprise_count, 0)
