{#-
    DQ03 cross-table: a district's submitted enterprise_count equals the number of its in-scope
    enterprises (by registry district) that filed for the period. The filings the count leaves out
    that other findings name (a period dated outside the months tracked, DQ14; a mistyped code,
    int_mistyped_codes, DQ10) are said; when the count with them agrees, the district has nothing to
    correct (district_figure_stands).
-#}

with

{{ dq_rule('DQ03') }},

counted as (

    select
        reconciliation.*,
        reconciliation.filed_enterprise_count
        + reconciliation.mistyped_enterprise_count
        + reconciliation.mistyped_code_enterprise_count as counted_enterprise_count,
        {{ left_out_lines_text(
            '0', 'reconciliation.mistyped_enterprise_count', 'reconciliation.mistyped_code_enterprise_count'
        ) }} as left_out_lines

    from {{ ref('int_district_reconciliation') }} as reconciliation

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        counted.district_code,
        counted.period,
        '区县月报 企业个数' as subject,
        case
            when counted.left_out_lines is null then {{ count_text('counted.filed_enterprise_count') }}
            else {{ count_text('counted.counted_enterprise_count') }}
        end as expected,
        {{ count_text('counted.submitted_enterprise_count') }} as actual,
        {{ district_name_zh('counted.district_code') }}
        || {{ period_label_zh('counted.period') }}
        || '区县报送的企业个数为 ' || {{ count_text('counted.submitted_enterprise_count') }}
        || ' 家，企业名录在本区县、本期已报送月报的规上电子信息企业为 '
        || {{ count_text('counted.filed_enterprise_count') }}
        || ' 家。'
        || case
            when counted.left_out_lines is null then '请核对企业个数并更正；如有企业未报送月报，请督促补报。'
            else '涉及其他问题的企业月报：' || counted.left_out_lines || '。计入这些企业为 '
                || {{ count_text('counted.counted_enterprise_count') }} || ' 家，'
                || case
                    when abs(counted.submitted_enterprise_count - counted.counted_enterprise_count) <= rule.threshold_warn
                        then '与区县报送数相符：请督促上述企业更正月报，区县报送的企业个数无需更正。'
                    else '仍不相符：请核对企业个数并更正；如有企业未报送月报，请督促补报。'
                end
        end
        || {{ source_text('counted.source_file', 'counted.source_row') }} as message,
        counted.source_file,
        counted.source_row,
        coalesce(
            counted.left_out_lines is not null
            and abs(counted.submitted_enterprise_count - counted.counted_enterprise_count) <= rule.threshold_warn,
            false
        ) as district_figure_stands

    from counted

    cross join rule

    where
        counted.submitted_enterprise_count is not null
        and abs(counted.submitted_enterprise_count - counted.filed_enterprise_count) > rule.threshold_warn

),

{{ dq_findings_final(per_line=false, judges_district_figure=true) }}
