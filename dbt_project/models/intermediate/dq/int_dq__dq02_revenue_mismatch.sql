{#-
    DQ02 cross-table: a district's submitted revenue_ytd equals the sum of its in-scope
    enterprises' filings (relative gap above the rule's error threshold is an error). The
    submission compared is the one that counts (int_district_submission_months): a superseded
    line is not judged.
-#}

with

filing_totals as (select * from {{ ref('int_district_filing_totals') }}),

submissions as (select * from {{ ref('int_district_submission_months') }}),

filed_periods as (select * from {{ ref('int_filed_periods') }}),

{{ dq_rule('DQ02') }},

compared as (

    select
        submissions.district_code,
        submissions.period,
        submissions.revenue_ytd_wan as submitted_revenue_ytd_wan,
        coalesce(filing_totals.revenue_ytd_wan, 0) as filed_revenue_ytd_wan,
        submissions.source_file,
        submissions.source_row

    from submissions

    -- a submission is compared once the enterprise filings of its period are in
    inner join filed_periods
        on submissions.period = filed_periods.period

    left join filing_totals
        on submissions.district_code = filing_totals.district_code
            and submissions.period = filing_totals.period

    where submissions.revenue_ytd_wan is not null

),

gaps as (

    select
        compared.*,
        case
            when compared.filed_revenue_ytd_wan <> 0
                then abs(cast(compared.submitted_revenue_ytd_wan - compared.filed_revenue_ytd_wan as double))
                    / abs(cast(compared.filed_revenue_ytd_wan as double))
        end as relative_gap

    from compared

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
