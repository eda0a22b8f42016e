{#-
    DQ03 cross-table: a district's submitted enterprise_count equals the number of its in-scope
    enterprises (by registry district) that filed for the period.
-#}

with

filing_totals as (select * from {{ ref('int_district_filing_totals') }}),

submissions as (select * from {{ ref('int_district_submission_months') }}),

filed_periods as (select * from {{ ref('int_filed_periods') }}),

{{ dq_rule('DQ03') }},

compared as (

    select
        submissions.district_code,
        submissions.period,
        submissions.enterprise_count as submitted_enterprise_count,
        coalesce(filing_totals.enterprise_count, 0) as filed_enterprise_count,
        submissions.source_file,
        submissions.source_row

    from submissions

    -- a submission is compared once the enterprise filings of its period are in
    inner join filed_periods
        on submissions.period = filed_periods.period

    left join filing_totals
        on submissions.district_code = filing_totals.district_code
            and submissions.period = filing_totals.period

    where submissions.enterprise_count is not null

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        compared.district_code,
        compared.period,
        '区县月报 企业个数' as subject,
        {{ count_text('compared.filed_enterprise_count') }} as expected,
        {{ count_text('compared.submitted_enterprise_count') }} as actual,
        {{ district_name_zh('compared.district_code') }}
        || {{ period_label_zh('compared.period') }}
        || '区县报送的企业个数为 ' || {{ count_text('compared.submitted_enterprise_count') }}
        || ' 家，企业名录在本区县、本期已报送月报的规上电子信息企业应为 '
        || {{ count_text('compared.filed_enterprise_count') }}
        || ' 家。请核对企业个数并更正；如有企业未报送月报，请督促补报。'
        || {{ source_text('compared.source_file', 'compared.source_row') }} as message,
        compared.source_file,
        compared.source_row

    from compared

    cross join rule

    where abs(compared.submitted_enterprise_count - compared.filed_enterprise_count) > rule.threshold_warn

),

{{ dq_findings_final(per_line=false) }}
