{#-
    DQ02 cross-table: a district's submitted revenue_ytd equals the sum of its in-scope
    enterprises' filings (relative gap above the rule's error threshold is an error).
-#}

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

submissions as (select * from {{ ref('stg_raw__district_submissions') }}),

reporting_units as (select * from {{ ref('reporting_units') }}),

{{ dq_rule('DQ02') }},

periods as (

    -- a submission is compared once the enterprise filings of its period are in
    select distinct enterprise_months.period from enterprise_months

),

latest_submissions as (

    select
        submissions.*,
        {{ latest_row_rank('submissions', ['district_code', 'period']) }} as submission_rank

    from submissions

    inner join periods
        on submissions.period = periods.period

    where
        submissions.district_code is not null
        and submissions.revenue_ytd_wan is not null

),

district_filings as (

    select
        enterprise_months.district_code,
        enterprise_months.period,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan

    from enterprise_months

    group by
        enterprise_months.district_code,
        enterprise_months.period

),

compared as (

    select
        latest_submissions.district_code,
        latest_submissions.period,
        latest_submissions.revenue_ytd_wan as submitted_revenue_ytd_wan,
        coalesce(district_filings.revenue_ytd_wan, 0) as filed_revenue_ytd_wan,
        latest_submissions.source_file,
        latest_submissions.source_row

    from latest_submissions

    left join district_filings
        on latest_submissions.district_code = district_filings.district_code
            and latest_submissions.period = district_filings.period

    where latest_submissions.submission_rank = 1

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
        {{ dbt.concat([
            "reporting_units.district_name",
            period_label_zh('gaps.period'),
            "'区县报送的营业收入本年累计为 '",
            number_text('gaps.submitted_revenue_ytd_wan'),
            "' 万元，辖区规上电子信息企业月报合计应为 '",
            number_text('gaps.filed_revenue_ytd_wan'),
            "' 万元，'",
            "coalesce('相差 ' || " ~ number_text('gaps.relative_gap * 100') ~ " || '%', '企业月报合计为 0')",
            "'（允许误差 '",
            number_text('rule.threshold_error * 100'),
            "'%）。请核对更正。来源：'",
            "gaps.source_file",
            "' 第 '",
            "cast(gaps.source_row as varchar)",
            "' 行。'"
        ]) }} as message,
        gaps.source_file,
        gaps.source_row

    from gaps

    inner join reporting_units
        on gaps.district_code = reporting_units.district_code

    cross join rule

    where
        (gaps.filed_revenue_ytd_wan = 0 and gaps.submitted_revenue_ytd_wan <> 0)
        or gaps.relative_gap > rule.threshold_error

),

{{ dq_findings_final(per_line=false) }}
