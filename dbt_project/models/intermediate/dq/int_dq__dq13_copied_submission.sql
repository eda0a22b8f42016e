{#-
    DQ13 history: a district submission identical to the previous one (enterprise_count,
    revenue_ytd and rd_ytd all equal), i.e. copied forward. Compared with the district's previous
    submitted period, whatever the gap. A submission of nothing (revenue missing or zero) is not
    a copy of anything.
-#}

with

{{ dq_rule('DQ13') }},

with_previous as (

    select
        submissions.*,
        lag(submissions.period) over previous_submission as previous_period,
        lag(submissions.enterprise_count) over previous_submission as previous_enterprise_count,
        lag(submissions.revenue_ytd_wan) over previous_submission as previous_revenue_ytd_wan,
        lag(submissions.rd_ytd_wan) over previous_submission as previous_rd_ytd_wan

    from {{ ref('int_district_submission_months') }} as submissions

    window previous_submission as (
        partition by submissions.district_code
        order by submissions.period
    )

),

copies as (

    select with_previous.*

    from with_previous

    where
        with_previous.previous_period is not null
        and with_previous.revenue_ytd_wan <> 0
        and with_previous.revenue_ytd_wan = with_previous.previous_revenue_ytd_wan
        and with_previous.enterprise_count is not distinct from with_previous.previous_enterprise_count
        and with_previous.rd_ytd_wan is not distinct from with_previous.previous_rd_ytd_wan

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        copies.district_code,
        copies.period,
        '区县月报' as subject,
        '与上期（' || {{ period_label_zh('copies.previous_period') }} || '）不同' as expected,
        '与上期（' || {{ period_label_zh('copies.previous_period') }} || '）相同' as actual,
        {{ district_name_zh('copies.district_code') }}
        || {{ period_label_zh('copies.period') }}
        || '区县月报与上期（' || {{ period_label_zh('copies.previous_period') }} || '）完全相同：企业个数 '
        || coalesce({{ count_text('copies.enterprise_count') }}, '未填') || ' 家，营业收入本年累计 '
        || {{ money_text('copies.revenue_ytd_wan') }} || '，研发费用本年累计 '
        || coalesce({{ money_text('copies.rd_ytd_wan') }}, '未填')
        || '；本年累计值逐月应有变化，疑似照抄上期数据。请按本期实际数据重新报送。'
        || {{ source_text('copies.source_file', 'copies.source_row') }} as message,
        copies.source_file,
        copies.source_row,
        [copies.previous_period] as compared_periods

    from copies

    cross join rule

),

{{ dq_findings_final(per_line=false, compares_periods=true) }}
