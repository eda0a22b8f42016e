{#-
    DQ02 cross-table: a district's submitted revenue_ytd equals the sum of its in-scope
    enterprises' filings (relative gap above the rule's error threshold is an error). The
    submission compared is the one that counts (int_district_reconciliation): a superseded line is
    not judged.
-#}

with

reconciliation as (select * from {{ ref('int_district_reconciliation') }}),

{{ dq_rule('DQ02') }},

gaps as (

    select
        reconciliation.*,
        case
            when reconciliation.filed_revenue_ytd_wan <> 0
                then abs(cast(reconciliation.submitted_revenue_ytd_wan - reconciliation.filed_revenue_ytd_wan as double))
                    / abs(cast(reconciliation.filed_revenue_ytd_wan as double))
        end as relative_gap

    from reconciliation

    where reconciliation.submitted_revenue_ytd_wan is not null

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        gaps.district_code,
        gaps.period,
        '营业收入本年累计' as subject,
        {{ amount_text('gaps.filed_revenue_ytd_wan') }} as expected,
        {{ amount_text('gaps.submitted_revenue_ytd_wan') }} as actual,
        {{ district_name_zh('gaps.district_code') }}
        || {{ period_label_zh('gaps.period') }}
        || '区县报送的营业收入本年累计为 ' || {{ number_text('gaps.submitted_revenue_ytd_wan') }}
        || ' 万元，辖区规上电子信息企业月报合计应为 ' || {{ number_text('gaps.filed_revenue_ytd_wan') }} || ' 万元，'
        || coalesce('相差 ' || {{ number_text('gaps.relative_gap * 100') }} || '%', '企业月报合计为 0')
        || '（允许误差 ' || {{ number_text('rule.threshold_error * 100') }} || '%）。请核对更正。'
        || {{ mistyped_filings_note('gaps.mistyped_enterprise_count') }}
        || {{ source_text('gaps.source_file', 'gaps.source_row') }} as message,
        gaps.source_file,
        gaps.source_row

    from gaps

    cross join rule

    where
        (gaps.filed_revenue_ytd_wan = 0 and gaps.submitted_revenue_ytd_wan <> 0)
        or gaps.relative_gap > rule.threshold_error

),

{{ dq_findings_final(per_line=false) }}
