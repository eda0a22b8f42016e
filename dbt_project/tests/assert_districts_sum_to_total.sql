{{ config(severity='error', meta={'dagster': {'ref': {'name': 'district_monthly'}}}) }}

-- The reporting units of the seed plus the unplaced enterprises make the city's total: revenue
-- summed over the units (before suppression) plus the revenue of enterprises whose registry 区县
-- matched no unit equals the revenue indicator of every plan in every period, within 1e-6
-- relative; and district_monthly's enterprise counts plus the unplaced enterprises count every
-- filing enterprise exactly once. An unplaced enterprise's figures are real, so they stay in the
-- city and chain totals, in no district; DQ15 (int_dq__dq15_unknown_district) names its registry
-- file and row for the district to fix. Returns the periods that disagree.

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

reporting_units as (select * from {{ ref('reporting_units') }}),

district_monthly as (select * from {{ ref('district_monthly') }}),

indicator_progress as (select * from {{ ref('indicator_progress') }}),

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

unplaced_totals as (

    -- enterprises with no reporting unit (DQ15): in the city's total, in no district
    select
        enterprise_months.period,
        {{ wan_to_yi('sum(enterprise_months.revenue_ytd_wan)') }} as revenue_ytd_yi,
        count(*) as enterprise_count

    from enterprise_months

    left join reporting_units
        on enterprise_months.district_code = reporting_units.district_code

    where reporting_units.district_code is null

    group by enterprise_months.period

),

all_totals as (

    select
        enterprise_months.period,
        count(*) as enterprise_count

    from enterprise_months

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
    unplaced_totals.revenue_ytd_yi as unplaced_revenue_ytd_yi,
    unplaced_totals.enterprise_count as unplaced_enterprise_count,
    all_totals.enterprise_count as all_enterprise_count,
    published_counts.enterprise_count as published_enterprise_count

from revenue_totals

left join district_totals
    on revenue_totals.period = district_totals.period

left join unplaced_totals
    on revenue_totals.period = unplaced_totals.period

left join all_totals
    on revenue_totals.period = all_totals.period

left join published_counts
    on revenue_totals.period = published_counts.period

where
    abs(
        coalesce(district_totals.revenue_ytd_yi, 0)
        + coalesce(unplaced_totals.revenue_ytd_yi, 0)
        - coalesce(revenue_totals.actual_value, 0)
    ) > 1e-6 * abs(coalesce(revenue_totals.actual_value, 0))
    or coalesce(district_totals.enterprise_count, 0) <> coalesce(published_counts.enterprise_count, 0)
    or coalesce(published_counts.enterprise_count, 0) + coalesce(unplaced_totals.enterprise_count, 0)
    <> coalesce(all_totals.enterprise_count, 0)
