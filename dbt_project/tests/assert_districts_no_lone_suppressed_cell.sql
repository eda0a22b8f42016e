{{ config(severity='error', meta={'dagster': {'ref': {'name': 'district_monthly'}}}) }}

-- Secondary suppression holds: in every period, the reporting units with enterprises that are
-- suppressed number 0 or at least 2. The reporting units partition the period's total
-- (indicator_progress), so a lone suppressed unit could be recovered by subtraction. A period with
-- a single unit with enterprises is left out: that unit is the published total, which no cell
-- suppression hides. Returns the periods that break the rule.

with

district_monthly as (select * from {{ ref('district_monthly') }}),

period_cells as (

    select
        district_monthly.period,
        count(*) as cells_with_enterprises,
        count(case when district_monthly.suppressed then 1 end) as suppressed_cells

    from district_monthly

    where district_monthly.enterprise_count > 0

    group by district_monthly.period

)

select
    period_cells.period,
    period_cells.cells_with_enterprises,
    period_cells.suppressed_cells

from period_cells

where
    period_cells.suppressed_cells = 1
    and period_cells.cells_with_enterprises > 1
