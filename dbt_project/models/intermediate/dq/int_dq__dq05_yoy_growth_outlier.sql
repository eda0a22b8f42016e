{#-
    DQ05 history: year-on-year growth of a district's submitted revenue_ytd against its own
    submission for the same period a year earlier is plausible. |growth| above the rule's
    threshold_error is an error, above its threshold_warn a warning. When DQ06 found that year-earlier
    line to be a unit mix-up (about 10^k times what it should be), the period is compared with it
    divided by 10^k, as DQ04 does with the month before: a right month is no −99.99% growth, and the
    wrong one is DQ06's finding.
-#}

with

{{ dq_rule('DQ05') }},

compared as (

    select
        submissions.district_code,
        submissions.period,
        submissions.revenue_ytd_wan,
        prior_submissions.period as prior_period,
        prior_submissions.revenue_ytd_wan as prior_revenue_ytd_wan,
        -- the year-earlier line's DQ06 finding, if any: its value read in the unit it should have had
        unit_mixups.unit_power as prior_unit_power,
        cast(prior_submissions.revenue_ytd_wan as double) / power(10, coalesce(unit_mixups.unit_power, 0))
            as compared_revenue_ytd_wan,
        submissions.source_file,
        submissions.source_row

    from {{ ref('int_district_submission_months') }} as submissions

    inner join {{ ref('int_district_submission_months') }} as prior_submissions
        on submissions.district_code = prior_submissions.district_code
            and {{ same_period_last_year('submissions.period') }} = prior_submissions.period

    left join {{ ref('int_dq__dq06_unit_mixup') }} as unit_mixups
        on prior_submissions.source_file = unit_mixups.source_file
            and prior_submissions.source_row = unit_mixups.source_row
            and prior_submissions.period = unit_mixups.period

    where
        submissions.revenue_ytd_wan is not null
        and prior_submissions.revenue_ytd_wan > 0

),

with_growth as (

    select
        compared.*,
        cast(compared.revenue_ytd_wan as double) / compared.compared_revenue_ytd_wan - 1 as growth

    from compared

),

graded as (

    select
        with_growth.*,
        case
            when abs(with_growth.growth) > rule.threshold_error then 'error'
            when abs(with_growth.growth) > rule.threshold_warn then 'warn'
        end as graded_severity

    from with_growth

    cross join rule

),

findings as (

    select
        rule.rule_id,
        graded.graded_severity as severity,
        graded.district_code,
        graded.period,
        '区县月报 营业收入本年累计同比' as subject,
        -- the range the rule accepts: the year-earlier value ± threshold_warn
        {{ amount_text('graded.compared_revenue_ytd_wan * (1 - rule.threshold_warn)') }}
        || ' 至 ' || {{ amount_text('graded.compared_revenue_ytd_wan * (1 + rule.threshold_warn)') }}
            as expected,
        {{ amount_text('graded.revenue_ytd_wan') }} as actual,
        {{ district_name_zh('graded.district_code') }}
        || {{ period_label_zh('graded.period') }}
        || '区县报送的营业收入本年累计为 ' || {{ money_text('graded.revenue_ytd_wan') }}
        || '，上年同期（' || {{ period_label_zh('graded.prior_period') }} || '）为 '
        || {{ money_text('graded.prior_revenue_ytd_wan') }}
        || case
            when graded.prior_unit_power is not null
                then '（上年同期疑似计量单位错误，见该期 DQ06 问题，已按 '
                    || {{ power_factor_zh('-graded.prior_unit_power') }}
                    || ' 折算为 ' || {{ money_text('graded.compared_revenue_ytd_wan') }} || '）'
            else ''
        end
        || '，同比' || case when graded.growth >= 0 then '增长 ' else '下降 ' end
        || {{ pct_text('abs(graded.growth)') }}
        -- the range 应为 shows (threshold_warn), and for an error the wider bound it also crossed
        || '，超出合理范围（±' || {{ pct_text('rule.threshold_warn') }} || '）'
        || case
            when graded.graded_severity = 'error'
                then '，且超过 ±' || {{ pct_text('rule.threshold_error') }} || '（按错误处理）'
            else ''
        end
        || '。'
        || '请核实本期及上年同期数据，有误请更正，属实请说明原因。'
        || {{ source_text('graded.source_file', 'graded.source_row') }} as message,
        graded.source_file,
        graded.source_row,
        [graded.prior_period] as compared_periods

    from graded

    cross join rule

    where graded.graded_severity is not null

),

{{ dq_findings_final(per_line=false, compares_periods=true) }}
