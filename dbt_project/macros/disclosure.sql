{#-
    Disclosure control (docs/interface.md, Analyst tables; 统计法: enterprise data are confidential).
    A published cell is suppressed when it describes fewer than var('min_cell_enterprises') enterprises ('count':
    its enterprises, or those behind its revenue or R&D, macro fewest_described), or
    when one enterprise makes more than var('dominance_share') of its revenue ('dominance'); the
    complement rule ('secondary') is in suppression_flags, which int_chain_cells and
    int_district_cells share.
-#}
{% macro is_small_cell(enterprise_count) -%}
    (coalesce({{ enterprise_count }}, 0) < {{ var('min_cell_enterprises') }})
{%- endmacro %}


{#-
    The fewest enterprises a cell's published values describe: its enterprises, or fewer where only
    some of them reported revenue or R&D (three filers, one R&D value: that R&D is one enterprise's).
    A value nobody reported is NULL and describes no one. `cells` names the cell CTE.
-#}
{% macro fewest_described(cells) -%}
    least(
        {{ cells }}.enterprise_count,
        case when {{ cells }}.revenue_enterprises > 0 then {{ cells }}.revenue_enterprises end,
        case when {{ cells }}.rd_enterprises > 0 then {{ cells }}.rd_enterprises end
    )
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


{#-
    A cell's digitalization rate as published: the survey rate describes the surveyed enterprises,
    so it needs the cell published and enough of them surveyed. `cells` names the cell model's CTE.
-#}
{% macro disclosed_survey_rate(cells) -%}
    cast(
        {{ disclose(
            cells ~ '.digitalization_rate_pct',
            cells ~ '.suppressed or ' ~ is_small_cell(cells ~ '.surveyed_count')
        ) }} as double
    )
{%- endmacro %}


{#-
    CTEs primary_flags, period_primary_counts, complement_candidates, secondary_flags and flagged,
    to close a model's `with`: chains and districts are flagged by the same rules, so the rules are
    written once. `cells` (one row per period and cell_code, with enterprise_count, revenue_ytd_wan
    and top_revenue_share) comes back as flagged: its own columns, then is_small_cell,
    is_dominated, suppression_reason, suppressed and disclosure_settings (the vars it was flagged
    under), and with `high_water_mark` (a one-row CTE) its loaded_at.
-#}
{% macro suppression_flags(cell_code, cells='cells', high_water_mark=none) -%}
primary_flags as (

    select
        {{ cells }}.*,
        {{ primary_suppression_reason(fewest_described(cells), cells ~ '.top_revenue_share') }}
            as primary_reason

    from {{ cells }}

),

-- The cells partition the period's total, which indicator_progress publishes: a lone suppressed
-- cell would be the total minus the published ones. Cells without enterprises hold nothing, so
-- they neither count here nor serve as complements.
period_primary_counts as (

    select
        primary_flags.period,
        count(*) as primary_suppressed_cells

    from primary_flags

    where
        primary_flags.primary_reason is not null
        and primary_flags.enterprise_count > 0

    group by primary_flags.period

),

complement_candidates as (

    select
        primary_flags.period,
        primary_flags.{{ cell_code }},
        {{ complement_rank('primary_flags.period', 'primary_flags.revenue_ytd_wan', 'primary_flags.' ~ cell_code) }}
            as complement_rank

    from primary_flags

    where
        primary_flags.primary_reason is null
        and primary_flags.enterprise_count > 0

),

secondary_flags as (

    select
        primary_flags.*,
        coalesce(
            primary_flags.primary_reason,
            case
                when period_primary_counts.primary_suppressed_cells = 1
                    and complement_candidates.complement_rank = 1
                    then 'secondary'
            end
        ) as suppression_reason

    from primary_flags

    left join period_primary_counts
        on primary_flags.period = period_primary_counts.period

    left join complement_candidates
        on primary_flags.period = complement_candidates.period
        and primary_flags.{{ cell_code }} = complement_candidates.{{ cell_code }}

),

flagged as (

    select
        secondary_flags.* exclude (primary_reason, suppression_reason),
        {{ is_small_cell(fewest_described('secondary_flags')) }} as is_small_cell,
        {{ is_dominated('secondary_flags.top_revenue_share') }} as is_dominated,
        secondary_flags.suppression_reason,
        secondary_flags.suppression_reason is not null as suppressed,
        '{{ disclosure_settings() }}' as disclosure_settings
        {%- if high_water_mark is not none %},
        {{ high_water_mark }}.loaded_at
        {%- endif %}

    from secondary_flags

    {%- if high_water_mark is not none %}

    cross join {{ high_water_mark }}
    {%- endif %}

)
{%- endmacro %}


{#-
    The disclosure settings in force, as text kept on every cell the incremental int_chain_cells and
    int_district_cells write: a run under other settings rebuilds every period.
-#}
{% macro disclosure_settings() -%}
    min_cell_enterprises={{ var('min_cell_enterprises') }};dominance_share={{ var('dominance_share') }}
{%- endmacro %}


{#-
    The values of a cell as chain_monthly and district_monthly publish them: in 亿元 and %, NULL
    where the cell is suppressed (the digitalization rate also where too few were surveyed, the
    growth where too few filed in both years: a ratio, so no complement can recover it).
    `cells` names the cell model's CTE (int_chain_cells or int_district_cells).
-#}
{% macro disclosed_values(cells) -%}
    cast({{ disclose(wan_to_yi(cells ~ '.revenue_ytd_wan'), cells ~ '.suppressed') }} as double) as revenue_ytd_yi,
        cast({{ disclose(
            cells ~ '.revenue_yoy_pct',
            cells ~ '.suppressed or ' ~ is_small_cell(cells ~ '.revenue_yoy_enterprises')
        ) }} as double) as revenue_yoy_pct,
        cast({{ disclose(wan_to_yi(cells ~ '.rd_ytd_wan'), cells ~ '.suppressed') }} as double) as rd_ytd_yi,
        cast({{ disclose(cells ~ '.rd_intensity_pct', cells ~ '.suppressed') }} as double) as rd_intensity_pct,
        {{ disclosed_survey_rate(cells) }} as digitalization_rate_pct
{%- endmacro %}


{#-
    The disclosure thresholds the cells were flagged under, published beside them so that a reader
    (the briefing's note on confidentiality) states the rule in force, not a copy of it. The cells
    are rebuilt whole when the vars change (incremental_rebuild_all), so the vars are the cells'.
-#}
{% macro disclosure_thresholds() -%}
    cast({{ var('min_cell_enterprises') }} as integer) as min_cell_enterprises,
        cast({{ var('dominance_share') }} as double) as dominance_share
{%- endmacro %}
