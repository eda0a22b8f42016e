{#-
    The two pieces every rule model under models/intermediate/dq/ shares, so that a rule model holds
    only its logic: its row of the rule catalogue (thresholds, severity) and its last CTE, which gives
    each finding its stable id.
-#}

{#- `rule as (...)`: the catalogue's row of `rule_id` (seed dq_rule_catalogue), to cross join. -#}
{% macro dq_rule(rule_id) -%}
rule as (

    select * from {{ ref('dq_rule_catalogue') }} where rule_id = '{{ rule_id }}'

)
{%- endmacro %}


{#-
    `final as (...) select * from final` over the model's `findings` CTE: finding_id first, then the
    findings' columns. A rule with a finding per file line (per_line) keys the id by its subject, file
    and row; a rule with a finding per district and period by its subject alone. A rule whose message
    prints figures of other periods than its own gives them in its `findings` as compared_periods
    (compares_periods); for the others it is the empty list. The published findings withhold a
    district's figures when any of those periods' cells is not published (dq_findings_published).
    A rule whose message can tie a district's figures to one enterprise's line (DQ02 naming a line
    DQ06 found in another unit) says which findings do in cites_enterprise_line (cites_enterprises);
    for the others it is false, and the published findings withhold those figures as they do an
    enterprise's own finding's. A rule on a district's figure that can find it right once other
    findings' enterprise lines are corrected (DQ02, DQ03) says so in district_figure_stands
    (judges_district_figure); for the others it is false, and the feedback workbook then asks the
    district to correct.
-#}
{% macro dq_findings_final(per_line=true, compares_periods=false, cites_enterprises=false, judges_district_figure=false) -%}
{%- set subject = "findings.subject || '|' || findings.source_file || '|' || cast(findings.source_row as varchar)"
    if per_line else 'findings.subject' -%}
final as (

    select
        {{ finding_id('findings.rule_id', 'findings.district_code', 'findings.period', subject) }} as finding_id,
        findings.*{% if not compares_periods %},
        cast([] as date[]) as compared_periods{% endif %}{% if not cites_enterprises %},
        false as cites_enterprise_line{% endif %}{% if not judges_district_figure %},
        false as district_figure_stands{% endif %}

    from findings

)

select * from final
{%- endmacro %}


{#-
    DQ06: the power of ten k of var('dq_unit_powers') that `ratio` is within `tolerance` (relative)
    of, negative when it is near 10^-k; NULL when none.
-#}
{% macro dq06_matched_power(ratio, tolerance) -%}
    case
        {%- for power in var('dq_unit_powers') %}
        when abs({{ ratio }} / {{ 10 ** power }} - 1) <= {{ tolerance }} then {{ power }}
        when abs({{ ratio }} * {{ 10 ** power }} - 1) <= {{ tolerance }} then -{{ power }}
        {%- endfor %}
    end
{%- endmacro %}


{#-
    DQ06: `power` (a run-rate match, own or carried) where the row's year-earlier ratio, if it has
    one, rounds to the same power of ten (`year_earlier_order`); NULL where that yardstick says
    otherwise.
-#}
{% macro dq06_agreeing(row, power) -%}
    case
        when {{ row }}.year_earlier_order is null or {{ row }}.year_earlier_order = {{ power }} then {{ power }}
    end
{%- endmacro %}
