{#-
    The filing lines counted in each period's sums that an error finding of a rule on the figure
    itself (var figure_doubt_rule_models: DQ06 unit mix-up, DQ07 implausible value) says are wrong,
    one row per period and indicator with any: indicator_progress.lines_in_doubt. The sums hold them
    as filed. A finding names the measures it puts in doubt (wrong_measures); an indicator is in
    doubt through any of the measures it is computed from.
-#}

{%- set indicator_measures = [
    ('revenue', ['revenue']),
    ('rd_spend', ['rd']),
    ('rd_intensity', ['revenue', 'rd']),
] %}

with

figure_findings as (

    -- the findings of the rules on a filed figure itself, with the file as it is named in raw/
    {% for rule_model in var('figure_doubt_rule_models') %}
    select
        {{ rule_model }}.severity,
        {{ rule_model }}.period,
        {{ rule_model }}.source_file,
        {{ rule_model }}.source_row,
        {{ rule_model }}.wrong_measures
    from {{ ref(rule_model) }} as {{ rule_model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

doubted_lines as (

    -- the lines counted in a period's sums with an error finding on one of their figures
    select
        enterprise_months.period,
        enterprise_months.uscc,
        figure_findings.wrong_measures

    from {{ ref('int_enterprise_months') }} as enterprise_months

    inner join figure_findings
        on enterprise_months.source_file = figure_findings.source_file
            and enterprise_months.source_row = figure_findings.source_row
            and enterprise_months.period = figure_findings.period

    where figure_findings.severity = 'error'

),

lines_in_doubt as (

    {% for indicator_code, measures in indicator_measures %}
    select
        doubted_lines.period,
        '{{ indicator_code }}' as indicator_code,
        count(distinct doubted_lines.uscc) as lines_in_doubt
    from doubted_lines
    where list_has_any(doubted_lines.wrong_measures, {{ measures }})
    group by doubted_lines.period
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from lines_in_doubt
