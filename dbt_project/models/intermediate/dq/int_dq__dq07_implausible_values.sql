{#-
    DQ07 within-table: no negative revenue or R&D, no amount above var('dq_max_amount_wan') and
    R&D not above revenue (errors); R&D intensity not above the rule's threshold_warn (warning). Checked on each district submission
    and each in-scope enterprise filing that counts.
-#}

with

submissions as (select * from {{ ref('int_district_submission_months') }}),

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

enterprises as (select * from {{ ref('int_enterprises_in_scope') }}),

reporting_units as (select * from {{ ref('reporting_units') }}),

{{ dq_rule('DQ07') }},

figures as (

    select
        'district' as reporter_kind,
        submissions.district_code,
        '区县月报' as reporter_label,
        '区县报送的' as reporter_zh,
        submissions.period,
        submissions.revenue_ytd_wan,
        submissions.rd_ytd_wan,
        submissions.source_file,
        submissions.source_row

    from submissions

    union all

    select
        'enterprise' as reporter_kind,
        enterprise_months.district_code,
        {{ enterprise_label('enterprises.enterprise_name', 'enterprise_months.source_file', 'enterprise_months.source_row') }}
            as reporter_label,
        '企业“'
        || {{ enterprise_label('enterprises.enterprise_name', 'enterprise_months.source_file', 'enterprise_months.source_row') }}
        || '”月报的' as reporter_zh,
        enterprise_months.period,
        enterprise_months.revenue_ytd_wan,
        enterprise_months.rd_ytd_wan,
        enterprise_months.source_file,
        enterprise_months.source_row

    from enterprise_months

    inner join enterprises
        on enterprise_months.uscc = enterprises.uscc
            and {{ period_year('enterprise_months.period') }} = enterprises.scope_year

),

checks as (

    select
        'error' as severity,
        figures.*,
        figures.reporter_label || ' 营业收入本年累计' as subject,
        '≥ 0' as expected,
        {{ amount_text('figures.revenue_ytd_wan') }} as actual,
        figures.reporter_zh || '营业收入本年累计为 ' || {{ money_text('figures.revenue_ytd_wan') }}
        || '，不应为负数。' as finding_zh

    from figures

    where figures.revenue_ytd_wan < 0

    union all

    select
        'error' as severity,
        figures.*,
        figures.reporter_label || ' 研发费用本年累计' as subject,
        '≥ 0' as expected,
        {{ amount_text('figures.rd_ytd_wan') }} as actual,
        figures.reporter_zh || '研发费用本年累计为 ' || {{ money_text('figures.rd_ytd_wan') }}
        || '，不应为负数。' as finding_zh

    from figures

    where figures.rd_ytd_wan < 0

    {%- for column, measure_zh in [('revenue_ytd_wan', '营业收入本年累计'), ('rd_ytd_wan', '研发费用本年累计')] %}

    union all

    -- storable but not believable (a typo of many zeros, or 元 read as 万元 twice over)
    select
        'error' as severity,
        figures.*,
        figures.reporter_label || ' {{ measure_zh }}' as subject,
        '≤ ' || {{ amount_text(var('dq_max_amount_wan')) }} as expected,
        {{ amount_text('figures.' ~ column) }} as actual,
        figures.reporter_zh || '{{ measure_zh }}为 ' || {{ money_text('figures.' ~ column) }}
        || '，超过 ' || {{ money_text(var('dq_max_amount_wan')) }}
        || '（' || {{ number_text(var('dq_max_amount_wan') ~ ' / 100000000', 0) }} || ' 万亿元），一家企业或一个区县不可能达到，'
        || '疑似多录了位数或计量单位错误。' as finding_zh

    from figures

    where figures.{{ column }} > {{ var('dq_max_amount_wan') }}
    {%- endfor %}

    union all

    select
        'error' as severity,
        figures.*,
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
        coalesce(reporting_units.district_name, '（区县不明）')
        || {{ period_label_zh('checks.period') }}
        || checks.finding_zh
        || case
            when checks.reporter_kind = 'district' then '请核对区县报表数据并更正。'
            else '请联系企业核对数据并更正。'
        end
        || {{ source_text('checks.source_file', 'checks.source_row') }} as message,
        checks.source_file,
        checks.source_row

    from checks

    left join reporting_units
        on checks.district_code = reporting_units.district_code

    cross join rule

),

{{ dq_findings_final() }}
