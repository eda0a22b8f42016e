{#-
    DQ03 cross-table: a district's submitted enterprise_count equals the number of its in-scope
    enterprises (by registry district) that filed for the period.
-#}

with

reconciliation as (select * from {{ ref('int_district_reconciliation') }}),

{{ dq_rule('DQ03') }},

findings as (

    select
        rule.rule_id,
        rule.severity,
        reconciliation.district_code,
        reconciliation.period,
        '区县月报 企业个数' as subject,
        {{ count_text('reconciliation.filed_enterprise_count') }} as expected,
        {{ count_text('reconciliation.submitted_enterprise_count') }} as actual,
        {{ district_name_zh('reconciliation.district_code') }}
        || {{ period_label_zh('reconciliation.period') }}
        || '区县报送的企业个数为 ' || {{ count_text('reconciliation.submitted_enterprise_count') }}
        || ' 家，企业名录在本区县、本期已报送月报的规上电子信息企业应为 '
        || {{ count_text('reconciliation.filed_enterprise_count') }}
        || ' 家。请核对企业个数并更正；如有企业未报送月报，请督促补报。'
        || {{ mistyped_filings_note('reconciliation.mistyped_enterprise_count') }}
        || {{ source_text('reconciliation.source_file', 'reconciliation.source_row') }} as message,
        reconciliation.source_file,
        reconciliation.source_row

    from reconciliation

    cross join rule

    where
        reconciliation.submitted_enterprise_count is not null
        and abs(reconciliation.submitted_enterprise_count - reconciliation.filed_enterprise_count) > rule.threshold_warn

),

{{ dq_findings_final(per_line=false) }}
