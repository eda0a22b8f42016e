{#-
    Secondary suppression holds on a mart of cells that partition each period's total (chain_monthly,
    district_monthly): in every period, the cells with enterprises that are suppressed number 0 or at
    least 2, since a lone suppressed cell could be recovered by subtracting the others from the
    published total (indicator_progress). A period with a single cell with enterprises is left out:
    that cell is the published total, which no cell suppression hides. Returns the periods that
    break the rule.
-#}
{% test no_lone_suppressed_cell(model) %}

with

cells as (select * from {{ model }}),

period_cells as (

    select
        cells.period,
        count(*) as cells_with_enterprises,
        count(case when cells.suppressed then 1 end) as suppressed_cells

    from cells

    where cells.enterprise_count > 0

    group by cells.period

)

select
    period_cells.period,
    period_cells.cells_with_enterprises,
    period_cells.suppressed_cells

from period_cells

where
    period_cells.suppressed_cells = 1
    and period_cells.cells_with_enterprises > 1

{% endtest %}
