{#-
    The body of int_chain_cells and int_district_cells, which differ only in the unit a cell is
    for: `units_ref` (the seed that lists the units: chains, reporting_units), its `key` column
    and the `labels` it carries on. One cell per period and unit, with the unsuppressed values
    and the disclosure flags (macro suppression_flags).

    Incremental by period: a run rebuilds the periods int_enterprise_months_yoy rebuilt since the
    last build (their rows carry a newer loaded_at), every period of a year whose survey received
    rows or lost a file (withdrawn, superseded) since, and every period when the disclosure
    settings changed; a period gone from the input is deleted by the model's post-hook. A cell
    reads only its own period and its year's survey, so nothing else moves.
-#}
{% macro unit_cells(units_ref, key, labels) -%}

{%- set rebuild_all = incremental_rebuild_all(
    'disclosure_settings', disclosure_settings(), added_columns=['nonfiling_enterprises']
) %}

with

units as (select * from {{ ref(units_ref) }}),

all_enterprise_months as (select * from {{ ref('int_enterprise_months_yoy') }}),

enterprise_surveys as (select * from {{ ref('int_enterprise_surveys') }}),

enterprises as (select * from {{ ref('int_enterprises_in_scope') }}),

surveys as (select * from {{ ref('stg_raw__surveys') }}),

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

-- enterprise_months: the periods to build (all, or those rebuilt upstream and those of a year
-- whose survey changed)
{{ enterprise_months_to_build(rebuild_all, with_surveys=true) }},

periods as (

    select distinct enterprise_months.period from enterprise_months

),

unit_periods as (

    -- every unit in every period, also where no enterprise filed
    select
        periods.period,
        units.{{ key }},
        {%- for label in labels %}
        units.{{ label }}{{ ',' if not loop.last }}
        {%- endfor %}

    from periods

    cross join units

),

unit_aggregates as (

    select
        enterprise_months.period,
        enterprise_months.{{ key }},
        count(*) as enterprise_count,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan,
        {{ like_for_like_growth_pct('enterprise_months.revenue_ytd_wan', 'enterprise_months.prior_revenue_ytd_wan') }}
            as revenue_yoy_pct,
        sum(enterprise_months.rd_ytd_wan) as rd_ytd_wan,
        {{ ratio_of_sums_pct('enterprise_months.rd_ytd_wan', 'enterprise_months.revenue_ytd_wan') }}
            as rd_intensity_pct,
        {{ count_missing('enterprise_months.rd_ytd_wan') }} as rd_missing_enterprises,
        count(enterprise_months.revenue_ytd_wan) as revenue_enterprises,
        count(enterprise_months.rd_ytd_wan) as rd_enterprises,
        {{ count_comparable('enterprise_months.revenue_ytd_wan', 'enterprise_months.prior_revenue_ytd_wan') }}
            as revenue_yoy_enterprises,
        {{ top_share('enterprise_months.revenue_ytd_wan') }} as top_revenue_share

    from enterprise_months

    group by
        enterprise_months.period,
        enterprise_months.{{ key }}

),

unit_nonfilers as (

    -- the enterprises the registry in force for the period's year has in scope, by its unit, with
    -- no line counted for the period (DQ10 names them): what the unit's figures leave out
    select
        periods.period,
        enterprises.{{ key }},
        count(*) as nonfiling_enterprises

    from periods

    inner join enterprises
        on enterprises.scope_year = {{ period_year('periods.period') }}

    anti join enterprise_months
        on periods.period = enterprise_months.period
            and enterprises.uscc = enterprise_months.uscc

    group by
        periods.period,
        enterprises.{{ key }}

),

unit_surveys as (

    {{ survey_rates(key) }}

),

cells as (

    select
        unit_periods.period,
        unit_periods.{{ key }},
        {%- for label in labels %}
        unit_periods.{{ label }},
        {%- endfor %}
        cast(coalesce(unit_aggregates.enterprise_count, 0) as bigint) as enterprise_count,
        unit_aggregates.revenue_ytd_wan,
        unit_aggregates.revenue_yoy_pct,
        unit_aggregates.rd_ytd_wan,
        unit_aggregates.rd_intensity_pct,
        cast(coalesce(unit_aggregates.rd_missing_enterprises, 0) as bigint) as rd_missing_enterprises,
        cast(coalesce(unit_aggregates.revenue_enterprises, 0) as bigint) as revenue_enterprises,
        cast(coalesce(unit_nonfilers.nonfiling_enterprises, 0) as bigint) as nonfiling_enterprises,
        cast(coalesce(unit_aggregates.rd_enterprises, 0) as bigint) as rd_enterprises,
        cast(coalesce(unit_aggregates.revenue_yoy_enterprises, 0) as bigint) as revenue_yoy_enterprises,
        cast(coalesce(unit_surveys.surveyed_count, 0) as bigint) as surveyed_count,
        unit_surveys.digitalization_rate_pct,
        unit_aggregates.top_revenue_share

    from unit_periods

    left join unit_aggregates
        on unit_periods.period = unit_aggregates.period
            and unit_periods.{{ key }} = unit_aggregates.{{ key }}

    left join unit_nonfilers
        on unit_periods.period = unit_nonfilers.period
            and unit_periods.{{ key }} = unit_nonfilers.{{ key }}

    left join unit_surveys
        on unit_periods.{{ key }} = unit_surveys.{{ key }}
            and {{ period_year('unit_periods.period') }} = unit_surveys.survey_year

),

-- flagged: the cells with their disclosure flags (primary and secondary suppression)
{{ suppression_flags(key, high_water_mark='input_high_water_mark') }}

select * from flagged
{%- endmacro %}
