{#-
    DQ12 cross-table: the sum of the in-scope filings in division var('dq12_division') (39) agrees
    with the bureau's line for that division (raw bureau industry_code) of the same period, within
    the rule's threshold_warn (relative to the bureau's figure). City-wide: district_code is NULL,
    so the finding counts in no district.
-#}

with

{{ dq_rule('DQ12') }},

division_filings as (

    select
        enterprise_months.period,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan,
        count(*) as enterprise_count

    from {{ ref('int_enterprise_months') }} as enterprise_months

    where enterprise_months.division = '{{ var("dq12_division") }}'

    group by enterprise_months.period

),

latest_bureau_lines as (

    -- a corrected bureau table for the same period: the latest line counts
    select bureau.*

    from {{ ref('stg_raw__bureau') }} as bureau

    where
        bureau.industry_code = '{{ var("dq12_division") }}'
        and bureau.revenue_ytd_wan is not null

    {{ qualify_latest_row('bureau', ['period']) }}

),

compared as (

    select
        latest_bureau_lines.period,
        latest_bureau_lines.revenue_ytd_wan as bureau_revenue_ytd_wan,
        coalesce(division_filings.revenue_ytd_wan, 0) as filed_revenue_ytd_wan,
        coalesce(division_filings.enterprise_count, 0) as enterprise_count,
        abs(cast(coalesce(division_filings.revenue_ytd_wan, 0) - latest_bureau_lines.revenue_ytd_wan as double))
        / nullif(abs(cast(latest_bureau_lines.revenue_ytd_wan as double)), 0) as relative_gap,
        latest_bureau_lines.source_file,
        latest_bureau_lines.source_row

    from latest_bureau_lines

    -- the bureau's line is compared once the enterprise filings of its period are in
    inner join {{ ref('int_filed_periods') }} as filed_periods
        on latest_bureau_lines.period = filed_periods.period

    left join division_filings
        on latest_bureau_lines.period = division_filings.period

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        cast(null as varchar) as district_code,
        compared.period,
        '39大类营业收入本年累计' as subject,
        {{ amount_text('compared.bureau_revenue_ytd_wan') }} as expected,
        {{ amount_text('compared.filed_revenue_ytd_wan') }} as actual,
        '全市' || {{ period_label_zh('compared.period') }}
        || '统计局计算机、通信和其他电子设备制造业（39大类）营业收入本年累计为 '
        || {{ money_text('compared.bureau_revenue_ytd_wan') }}
        || '，名录内该大类 ' || {{ count_text('compared.enterprise_count') }} || ' 家企业月报合计为 '
        || {{ money_text('compared.filed_revenue_ytd_wan') }}
        || '，相差 ' || coalesce({{ pct_text('compared.relative_gap') }}, '—')
        || '（允许误差 ' || {{ pct_text('rule.threshold_warn') }} || '）。'
        || '请核对企业名录是否完整（新增、退出的规上企业）及企业月报是否齐全，并与统计局核对口径。'
        || {{ source_text('compared.source_file', 'compared.source_row') }} as message,
        compared.source_file,
        compared.source_row

    from compared

    cross join rule

    where
        compared.relative_gap > rule.threshold_warn
        or (compared.bureau_revenue_ytd_wan = 0 and compared.filed_revenue_ytd_wan <> 0)

),

{{ dq_findings_final(per_line=false) }}
