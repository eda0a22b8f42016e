{#-
    DQ11 identity: the district an in-scope enterprise filed through (the 区县 column of its
    filing, when given) differs from the district the registry puts it in. Its figures count
    where the registry puts it, so the finding goes to the registry's district.
-#}

with

{{ dq_rule('DQ11') }},

mismatches as (

    select enterprise_filings.*

    from {{ ref('int_enterprise_filings') }} as enterprise_filings

    where
        enterprise_filings.is_in_scope
        and enterprise_filings.filing_district_code is not null
        and enterprise_filings.registry_district_code is not null
        and enterprise_filings.filing_district_code <> enterprise_filings.registry_district_code

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        mismatches.registry_district_code as district_code,
        mismatches.period,
        {{ enterprise_label('mismatches.enterprise_name', 'mismatches.source_file', 'mismatches.source_row') }}
        || ' 填报区县' as subject,
        mismatches.registry_district_code as expected,
        mismatches.filing_district_code as actual,
        registry_units.district_name
        || {{ period_label_zh('mismatches.period') }}
        || '企业“' || {{ enterprise_label('mismatches.enterprise_name', 'mismatches.source_file', 'mismatches.source_row') }}
        || '”的月报填报区县为' || filing_units.district_name
        || '，企业名录中所在区县为' || registry_units.district_name
        || '，数据计入' || registry_units.district_name || '。'
        || '请核实企业所在区县：名录有误的请更正企业名录，填报有误的请通知企业更正。'
        || {{ source_text('mismatches.source_file', 'mismatches.source_row') }} as message,
        mismatches.source_file,
        mismatches.source_row

    from mismatches

    inner join {{ ref('reporting_units') }} as registry_units
        on mismatches.registry_district_code = registry_units.district_code

    inner join {{ ref('reporting_units') }} as filing_units
        on mismatches.filing_district_code = filing_units.district_code

    cross join rule

),

{{ dq_findings_final() }}
