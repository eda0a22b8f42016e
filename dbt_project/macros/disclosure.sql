{#-
    Disclosure control (CONTRACT §4; 统计法: enterprise data are confidential). A published cell is
    suppressed when it describes fewer than var('min_cell_enterprises') enterprises ('count'), or
    when one enterprise makes more than var('dominance_share') of its revenue ('dominance'); the
    complement rule ('secondary') lives in int_chain_cells and int_district_cells.
-#}
{% macro is_small_cell(enterprise_count) -%}
    (coalesce({{ enterprise_count }}, 0) < {{ var('min_cell_enterprises') }})
{%- endmacro %}


{#- Aggregate. The largest single value's share of the positive sum; NULL when the sum is not positive. -#}
{% macro top_share(value) -%}
    case
        when sum({{ value }}) > 0
            then cast(max({{ value }}) as double) / cast(sum({{ value }}) as double)
    end
{%- endmacro %}


{% macro is_dominated(top_share) -%}
    (coalesce({{ top_share }}, 0) > {{ var('dominance_share') }})
{%- endmacro %}


{#- 'count' before 'dominance': a cell of one enterprise is also dominated, the count says more. -#}
{% macro primary_suppression_reason(enterprise_count, top_share) -%}
    case
        when {{ is_small_cell(enterprise_count) }} then 'count'
        when {{ is_dominated(top_share) }} then 'dominance'
    end
{%- endmacro %}


{#-
    Window. Orders the candidate complements of a period (published cells with enterprises): the
    smallest positive revenue first, so suppressing it hides the most for the least; cells without
    positive revenue hide nothing and come last; ties by code.
-#}
{% macro complement_rank(period, revenue, cell_code) -%}
    row_number() over (
        partition by {{ period }}
        order by
            case when {{ revenue }} > 0 then 0 else 1 end,
            {{ revenue }} nulls last,
            {{ cell_code }}
    )
{%- endmacro %}


{% macro disclose(value, suppressed) -%}
    case when not ({{ suppressed }}) then {{ value }} end
{%- endmacro %}
