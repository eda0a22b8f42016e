{{ config(severity='error', meta={'dagster': {'ref': {'name': 'chain_monthly'}}}) }}

-- Secondary suppression holds: in every period, the chains with enterprises that are suppressed
-- number 0 or at least 2. The chains partition the period's total (indicator_progress), so a lone
-- suppressed chain could be recovered by subtraction. A period with a single chain with enterprises
-- is left out: that chain is the published total, which no cell suppression hides. Returns the
-- periods that break the rule.

with

chain_monthly as (select * from {{ ref('chain_monthly') }}),

period_cells as (

    select
        chain_monthly.period,
        count(*) as cells_with_enterprises,
        count(case when chain_monthly.suppressed then 1 end) as suppressed_cells

    from chain_monthly

    where chain_monthly.enterprise_count > 0

    group by chain_monthly.period

)

select
    period_cells.period,
    period_cells.cells_with_enterprises,
    period_cells.suppressed_cells

from period_cells

where
    period_cells.suppressed_cells = 1
    and period_cells.cells_with_enterprises > 1
