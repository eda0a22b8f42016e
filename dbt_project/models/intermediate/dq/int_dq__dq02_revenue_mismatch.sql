{#-
    DQ02 cross-table: a district's submitted revenue_ytd equals the sum of its in-scope
    enterprises' filings (relative gap above the rule's error threshold is an error). The
    submission compared is the one that counts (int_district_reconciliation): a superseded line is
    not judged. The filing lines other findings name are said: one in the sum that DQ06 finds in
    another unit (counted at its read-back in 万元), and the lines the sum leaves out, dated outside
    the months tracked (DQ14) or under a mistyped code (int_mistyped_codes, DQ10). When the sum with
    them agrees with the district, the district has nothing to correct (district_figure_stands), and
    the gap, being those enterprises' lines, is withheld when published (cites_enterprise_line).
-#}

with

{{ dq_rule('DQ02') }},

-- the filings in a district's sum that DQ06 finds in another unit, and what they would add in 万元
mixed_up_filings as (

    select
        enterprise_months.district_code,
        enterprise_months.period,
        count(*) as enterprise_count,
        sum(unit_mixups.expected_wan - cast(enterprise_months.revenue_ytd_wan as double)) as correction_wan

    from {{ ref('int_enterprise_months') }} as enterprise_months

    inner join {{ ref('int_dq__dq06_unit_mixup') }} as unit_mixups
        on enterprise_months.source_file = unit_mixups.source_file
            and enterprise_months.source_row = unit_mixups.source_row
            and enterprise_months.period = unit_mixups.period

    group by
        enterprise_months.district_code,
        enterprise_months.period

),

corrected as (

    select
        reconciliation.*,
        coalesce(mixed_up_filings.enterprise_count, 0) as mixed_up_enterprise_count,
        cast(reconciliation.filed_revenue_ytd_wan as double)
        + coalesce(mixed_up_filings.correction_wan, 0)
        + cast(reconciliation.mistyped_revenue_ytd_wan as double)
        + cast(reconciliation.mistyped_code_revenue_ytd_wan as double) as corrected_revenue_ytd_wan

    from {{ ref('int_district_reconciliation') }} as reconciliation

    left join mixed_up_filings
        on reconciliation.district_code = mixed_up_filings.district_code
            and reconciliation.period = mixed_up_filings.period

    where reconciliation.submitted_revenue_ytd_wan is not null

),

gaps as (

    select
        corrected.*,
        {{ relative_gap('corrected.submitted_revenue_ytd_wan', 'corrected.filed_revenue_ytd_wan') }} as relative_gap,
        {{ relative_gap('corrected.submitted_revenue_ytd_wan', 'corrected.corrected_revenue_ytd_wan') }}
            as corrected_relative_gap,
        {{ left_out_lines_text(
            'corrected.mixed_up_enterprise_count',
            'corrected.mistyped_enterprise_count',
            'corrected.mistyped_code_enterprise_count'
        ) }} as left_out_lines

    from corrected

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        gaps.district_code,
        gaps.period,
        '营业收入本年累计' as subject,
        -- what the district's figure should be: the filings' sum, with the lines other findings name
        -- counted as they should be when there are any
        case
            when gaps.left_out_lines is null then {{ amount_text('gaps.filed_revenue_ytd_wan') }}
            else {{ amount_text('gaps.corrected_revenue_ytd_wan') }}
        end as expected,
        {{ amount_text('gaps.submitted_revenue_ytd_wan') }} as actual,
        {{ district_name_zh('gaps.district_code') }}
        || {{ period_label_zh('gaps.period') }}
        || '区县报送的营业收入本年累计为 ' || {{ number_text('gaps.submitted_revenue_ytd_wan') }}
        || ' 万元，辖区规上电子信息企业月报合计为 ' || {{ number_text('gaps.filed_revenue_ytd_wan') }} || ' 万元，'
        || coalesce('相差 ' || {{ number_text('gaps.relative_gap * 100') }} || '%', '企业月报合计为 0')
        || '（允许误差 ' || {{ number_text('rule.threshold_error * 100') }} || '%）。'
        || case
            when gaps.left_out_lines is null then '请核对更正。'
            else '涉及其他问题的企业月报：' || gaps.left_out_lines || '。按这些企业月报应为的数计，企业月报合计为 '
                || {{ number_text('gaps.corrected_revenue_ytd_wan') }} || ' 万元，'
                || case
                    when gaps.corrected_relative_gap <= rule.threshold_error
                        then '与区县报送数相符：请督促上述企业更正月报，区县报送的营业收入无需更正。'
                    else coalesce('仍相差 ' || {{ number_text('gaps.corrected_relative_gap * 100') }} || '%', '仍不相符')
                        || '：请核对更正。'
                end
        end
        || {{ source_text('gaps.source_file', 'gaps.source_row') }} as message,
        gaps.source_file,
        gaps.source_row,
        -- the gap it explains is those enterprises' lines (and read-backs): their figures, in effect
        gaps.left_out_lines is not null as cites_enterprise_line,
        coalesce(gaps.left_out_lines is not null and gaps.corrected_relative_gap <= rule.threshold_error, false)
            as district_figure_stands

    from gaps

    cross join rule

    where
        (gaps.filed_revenue_ytd_wan = 0 and gaps.submitted_revenue_ytd_wan <> 0)
        or gaps.relative_gap > rule.threshold_error

),

{{ dq_findings_final(per_line=false, cites_enterprises=true, judges_district_figure=true) }}
