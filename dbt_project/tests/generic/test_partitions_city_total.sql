{#-
    A mart of cells (chain_monthly, district_monthly) adds up to the city: the revenue of the
    enterprises of the units of `units` (the seed, joined on `key`) plus, where `unplaced_allowed`,
    the revenue of enterprises whose `key` matched no unit equals the revenue indicator of every
    plan in every period, within 1e-6 relative; and the mart's enterprise counts count every
    enterprise of a unit exactly once, and with the unplaced ones every filing enterprise. An
    unplaced enterprise's figures are real (a registry 区县 that matched no reporting unit, DQ15), so
    they stay in the city's total, in no cell. Where not `unplaced_allowed`, an unplaced enterprise
    fails the test. Returns the periods that disagree.
-#}
{% test partitions_city_total(model, units, key, unplaced_allowed=false) %}

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

units as (select * from {{ ref(units) }}),

cells as (select * from {{ model }}),

indicator_progress as (select * from {{ ref('indicator_progress') }}),

placed as (

    select
        enterprise_months.period,
        units.{{ key }} is not null as is_placed,
        {{ wan_to_yi('sum(enterprise_months.revenue_ytd_wan)') }} as revenue_ytd_yi,
        count(*) as enterprise_count

    from enterprise_months

    left join units
        on enterprise_months.{{ key }} = units.{{ key }}

    group by
        enterprise_months.period,
        units.{{ key }} is not null

),

unit_totals as (

    select
        placed.period,
        sum(case when placed.is_placed then placed.revenue_ytd_yi end) as revenue_ytd_yi,
        sum(case when placed.is_placed then placed.enterprise_count end) as enterprise_count,
        sum(case when not placed.is_placed then placed.revenue_ytd_yi end) as unplaced_revenue_ytd_yi,
        sum(case when not placed.is_placed then placed.enterprise_count end) as unplaced_enterprise_count,
        sum(placed.enterprise_count) as all_enterprise_count

    from placed

    group by placed.period

),

published_counts as (

    select
        cells.period,
        sum(cells.enterprise_count) as enterprise_count

    from cells

    group by cells.period

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
    unit_totals.revenue_ytd_yi,
    unit_totals.enterprise_count,
    unit_totals.unplaced_revenue_ytd_yi,
    unit_totals.unplaced_enterprise_count,
    unit_totals.all_enterprise_count,
    published_counts.enterprise_count as published_enterprise_count

from revenue_totals

left join unit_totals
    on revenue_totals.period = unit_totals.period

left join published_counts
    on revenue_totals.period = published_counts.period

where
    abs(
        coalesce(unit_totals.revenue_ytd_yi, 0)
        + coalesce(unit_totals.unplaced_revenue_ytd_yi, 0)
        - coalesce(revenue_totals.actual_value, 0)
    ) > 1e-6 * abs(coalesce(revenue_totals.actual_value, 0))
    or coalesce(unit_totals.enterprise_count, 0) <> coalesce(published_counts.enterprise_count, 0)
    or coalesce(published_counts.enterprise_count, 0) + coalesce(unit_totals.unplaced_enterprise_count, 0)
    <> coalesce(unit_totals.all_enterprise_count, 0)
    {%- if not unplaced_allowed %}
    or coalesce(unit_totals.unplaced_enterprise_count, 0) > 0
    {%- endif %}

{% endtest %}
