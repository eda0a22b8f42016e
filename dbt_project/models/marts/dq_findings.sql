{#- One model per rule (models/intermediate/dq/); a new rule is one more name in this list. -#}
{%- set rule_models = [
    'int_dq__dq01_missing_submission',
    'int_dq__dq02_revenue_mismatch',
    'int_dq__dq03_enterprise_count_mismatch',
    'int_dq__dq04_ytd_decrease',
    'int_dq__dq05_yoy_growth_outlier',
    'int_dq__dq06_unit_mixup',
    'int_dq__dq07_implausible_values',
    'int_dq__dq08_conflicting_filings',
    'int_dq__dq09_invalid_credit_code',
    'int_dq__dq10_registry_coverage',
    'int_dq__dq11_district_mismatch',
    'int_dq__dq12_division39_bureau_mismatch',
    'int_dq__dq13_copied_submission',
    'int_dq__dq14_period_out_of_range',
    'int_dq__dq15_unknown_district',
    'int_dq__dq16_unknown_chain',
] -%}
{#- The columns every rule model ends with (macro dq_findings_final); DQ06 and DQ07 carry more. -#}
{%- set finding_columns = [
    'finding_id',
    'rule_id',
    'severity',
    'district_code',
    'period',
    'subject',
    'expected',
    'actual',
    'message',
    'source_file',
    'source_row',
    'compared_periods',
    'cites_enterprise_line',
    'district_figure_stands',
] -%}

with

{% for rule_model in rule_models %}
{{ rule_model }} as (

    select * from {{ ref(rule_model) }}

),

{% endfor %}
file_months as (select * from {{ ref('int_file_months') }}),

period_window as (select * from {{ ref('int_period_window') }}),

unioned as (

    {% for rule_model in rule_models %}
    select
        {{ finding_columns | join(',\n        ') }}
    from {{ rule_model }}
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

filed as (

    -- the month the finding is counted and sent under: its own period, unless that period is the
    -- fault (outside the months tracked, DQ14), then the month the rest of its file reports
    select
        unioned.*,
        case
            when unioned.period between period_window.first_period and period_window.last_period
                then unioned.period
            else coalesce(file_months.file_period, unioned.period)
        end as filed_period

    from unioned

    cross join period_window

    left join file_months
        on unioned.source_file = file_months.source_file

),

final as (

    -- file and enterprise names are written by reporters: a credit code inside one is masked,
    -- the rule models themselves never put one in a text
    select
        {{- contract_columns('filed', computed={
            'subject': mask_credit_codes('filed.subject'),
            'message': mask_credit_codes('filed.message'),
            'source_file': mask_credit_codes('filed.source_file'),
        }) }}

    from filed

)

select * from final
