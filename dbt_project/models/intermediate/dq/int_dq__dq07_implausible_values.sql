{#-
    DQ07 within-table: no negative revenue or R&D, no negative enterprise count in a district
    submission, no amount above var('dq_max_amount_wan') and R&D not above revenue (errors); R&D
    intensity not above the rule's threshold_warn (warning). Checked on each district submission and
    each in-scope enterprise filing that counts.
-#}

with

{{ dq_rule('DQ07') }},

figures as (

    select
        reported.*,
        case
            when reported.reporter_kind = 'district' then '区县月报'
            else {{ enterprise_label('reported.enterprise_name', 'reported.source_file', 'reported.source_row') }}
        end as reporter_label,
        case
            when reported.reporter_kind = 'district' then '区县报送的'
            else '企业“'
                || {{ enterprise_label('reported.enterprise_name', 'reported.source_file', 'reported.source_row') }}
                || '”月报的'
        end as reporter_zh

    from {{ ref('int_reported_figures') }} as reported

),

{#- each figure with the measure it is (int_lines_in_doubt: which indicators a wrong one puts in doubt) -#}
{%- set measures = [('revenue_ytd_wan', '营业收入本年累计', 'revenue'), ('rd_ytd_wan', '研发费用本年累计', 'rd')] %}

checks as (

    {%- for column, measure_zh, measure in measures %}

    select
        'error' as severity,
        figures.*,
        ['{{ measure }}'] as wrong_measures,
        figures.reporter_label || ' {{ measure_zh }}' as subject,
        '≥ 0' as expected,
        {{ amount_text('figures.' ~ column) }} as actual,
        figures.reporter_zh || '{{ measure_zh }}为 ' || {{ money_text('figures.' ~ column) }}
        || '，不应为负数。' as finding_zh

    from figures

    where figures.{{ column }} < 0

    union all

    -- storable but not believable (a typo of many zeros, or 元 read as 万元 twice over)
    select
        'error' as severity,
        figures.*,
        ['{{ measure }}'] as wrong_measures,
        figures.reporter_label || ' {{ measure_zh }}' as subject,
        '≤ ' || {{ amount_text(var('dq_max_amount_wan')) }} as expected,
        {{ amount_text('figures.' ~ column) }} as actual,
        figures.reporter_zh || '{{ measure_zh }}为 ' || {{ money_text('figures.' ~ column) }}
        || '，超过 ' || {{ money_text(var('dq_max_amount_wan')) }}
        || '（' || {{ number_text(var('dq_max_amount_wan') ~ ' / 100000000', 0) }} || ' 万亿元），一家企业或一个区县不可能达到，'
        || '疑似多录了位数或计量单位错误。' as finding_zh

    from figures

    where figures.{{ column }} > {{ var('dq_max_amount_wan') }}

    union all
    {%- endfor %}

    -- a count cannot be below zero; the parser keeps it, so that the file's other lines still count
    select
        'error' as severity,
        figures.*,
        cast([] as varchar[]) as wrong_measures,
        figures.reporter_label || ' 企业个数' as subject,
        '≥ 0' as expected,
        {{ count_text('figures.enterprise_count') }} as actual,
        figures.reporter_zh || '企业个数为 ' || {{ count_text('figures.enterprise_count') }} || ' 家，不应为负数。'
            as finding_zh

    from figures

    where figures.enterprise_count < 0

    union all

    select
        'error' as severity,
        figures.*,
        -- one of the two is wrong, which the rule cannot tell
        ['revenue', 'rd'] as wrong_measures,
        figures.reporter_label || ' 研发费用与营业收入' as subject,
        '≤ ' || {{ amount_text('figures.revenue_ytd_wan') }} as expected,
        {{ amount_text('figures.rd_ytd_wan') }} as actual,
        figures.reporter_zh || '研发费用本年累计 ' || {{ money_text('figures.rd_ytd_wan') }}
        || '大于营业收入本年累计 ' || {{ money_text('figures.revenue_ytd_wan') }}
        || '，研发费用不应超过营业收入。' as finding_zh

    from figures

    -- against a negative revenue the negative revenue is the finding, not the R&D
    where
        figures.revenue_ytd_wan >= 0
        and figures.rd_ytd_wan > figures.revenue_ytd_wan

    union all

    select
        'warn' as severity,
        figures.*,
        -- a warning: both figures may be right
        cast([] as varchar[]) as wrong_measures,
        figures.reporter_label || ' 研发强度' as subject,
        '≤ ' || {{ pct_text('rule.threshold_warn') }} as expected,
        {{ pct_text('cast(figures.rd_ytd_wan as double) / cast(figures.revenue_ytd_wan as double)') }} as actual,
        figures.reporter_zh || '研发强度为 '
        || {{ pct_text('cast(figures.rd_ytd_wan as double) / cast(figures.revenue_ytd_wan as double)') }}
        || '（研发费用 ' || {{ money_text('figures.rd_ytd_wan') }}
        || ' / 营业收入 ' || {{ money_text('figures.revenue_ytd_wan') }}
        || '），高于 ' || {{ pct_text('rule.threshold_warn') }} || '，明显偏高。' as finding_zh

    from figures

    cross join rule

    where
        figures.revenue_ytd_wan > 0
        and figures.rd_ytd_wan >= 0
        and figures.rd_ytd_wan <= figures.revenue_ytd_wan
        and cast(figures.rd_ytd_wan as double) / cast(figures.revenue_ytd_wan as double) > rule.threshold_warn

),

findings as (

    select
        rule.rule_id,
        checks.severity,
        checks.district_code,
        checks.period,
        checks.subject,
        checks.expected,
        checks.actual,
        {{ district_name_zh('checks.district_code') }}
        || {{ period_label_zh('checks.period') }}
        || checks.finding_zh
        || case
            when checks.reporter_kind = 'district' then '请核对区县报表数据并更正。'
            else '请联系企业核对数据并更正。'
        end
        || {{ source_text('checks.source_file', 'checks.source_row') }} as message,
        checks.source_file,
        checks.source_row,
        checks.wrong_measures

    from checks

    cross join rule

),

{{ dq_findings_final() }}
