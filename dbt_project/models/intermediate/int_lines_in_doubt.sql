{#-
    The filing lines counted in each period's sums that an error finding of a rule on the figure
    itself (var figure_doubt_rule_models: DQ06 unit mix-up, DQ07 implausible value) says are wrong,
    one row per period with any: indicator_progress.lines_in_doubt. The sums hold them as filed.
-#}

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

figure_findings as (

    -- the findings of the rules on a filed figure itself, with the file as it is named in raw/
    {% for rule_model in var('figure_doubt_rule_models') %}
    select
        {{ rule_model }}.severity,
        {{ rule_model }}.period,
        {{ rule_model }}.source_file,
        {{ rule_model }}.source_row
    from {{ ref(rule_model) }} as {{ rule_model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

lines_in_doubt as (

    -- the filing lines counted in a period's sums that an error finding of such a rule says are
    -- wrong (a unit mix-up, an impossible value): the sums stand as filed
    select
        enterprise_months.period,
        count(distinct enterprise_months.uscc) as lines_in_doubt

    from enterprise_months

    inner join figure_findings
        on enterprise_months.source_file = figure_findings.source_file
            and enterprise_months.source_row = figure_findings.source_row
            and enterprise_months.period = figure_findings.period

    where figure_findings.severity = 'error'

    group by enterprise_months.period

)

select * from lines_in_doubt
