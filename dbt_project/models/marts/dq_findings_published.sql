{#-
    The findings as analysts get them: publish copies this model into the snapshot as
    marts.dq_findings. A finding whose rule prints reported amounts (dq_rule_catalogue.shows_amounts)
    has its expected, actual and the figures of its message withheld when they could undo the
    disclosure rule:
    - about one enterprise's line (a filings, registry or survey file), or tying its figures to one
      (cites_enterprise_line: a DQ02 that counts lines DQ06, DQ14 or DQ10 name), or printing a
      district's submitted figure of a month where such a DQ02 stands (DQ04, DQ05, DQ07 or DQ13 of
      that month, or comparing with it): that figure less the published cell is those lines;
    - about a reporting unit (a district submission) whose cell district_monthly does not publish in
      the finding's month (suppressed, or no cell yet: the month's filings are not in, or the month
      is a typo outside the months tracked), or in one of the other periods whose figures the
      message prints (the rule's compared_periods: DQ04, DQ05, DQ06 and DQ13);
    - about an unknown unit (a district submission whose 区县 matched no unit);
    - city-wide (the bureau's DQ12) in a month where division 39, or the rest of the scope, which the
      published total minus the finding's sum gives, is a group the disclosure rule would suppress.
    Its message names the rule, the subject and the file row and says where the full text is: the
    feedback workbook, which reads marts.dq_findings.
-#}

with

findings as (select * from {{ ref('dq_findings') }}),

rules as (select * from {{ ref('dq_rule_catalogue') }}),

district_cells as (select * from {{ ref('int_district_cells') }}),

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

-- masked as dq_findings masks its source_file, so that the two compare
file_kinds as (

    select distinct
        {{ mask_credit_codes('ledger.source_file') }} as source_file,
        ledger.kind

    from ledger

),

-- the findings that print a figure of another period whose district cell is not published
compared_months as (

    select
        findings.finding_id,
        findings.district_code,
        unnest(findings.compared_periods) as compared_period

    from findings

),

compared_unpublished as (

    select distinct compared_months.finding_id

    from compared_months

    left join district_cells
        on compared_months.district_code = district_cells.district_code
            and compared_months.compared_period = district_cells.period
            and not district_cells.suppressed

    where district_cells.district_code is null

),

-- the district months whose submitted figure differs from the published cell by enterprises' lines
cited_months as (

    select distinct
        findings.district_code,
        findings.period

    from findings

    where findings.cites_enterprise_line

),

-- the findings printing a district's figure of such a month: its own or one it compares with
printing_cited as (

    select distinct printed.finding_id

    from (
        select
            findings.finding_id,
            findings.district_code,
            findings.period
        from findings
        union all
        select
            compared_months.finding_id,
            compared_months.district_code,
            compared_months.compared_period as period
        from compared_months
    ) as printed

    inner join cited_months
        on printed.district_code = cited_months.district_code
            and printed.period = cited_months.period

),

division_groups as (

    -- the two groups a city-wide DQ12 finding's figures describe, by month
    select
        enterprise_months.period,
        enterprise_months.division = '{{ var("dq12_division") }}' as is_compared_division,
        {{ primary_suppression_reason(
            'count(*)',
            'max(enterprise_months.revenue_ytd_wan) / nullif(sum(enterprise_months.revenue_ytd_wan), 0)'
        ) }} as suppression_reason

    from enterprise_months

    where enterprise_months.revenue_ytd_wan is not null

    group by
        enterprise_months.period,
        enterprise_months.division = '{{ var("dq12_division") }}'

),

reasons as (

    select
        findings.*,
        rules.title as rule_title,
        rules.shows_amounts,
        -- the ingest's kind of the file, else its folder under raw/ (which is how the ingest names kinds)
        coalesce(file_kinds.kind, split_part(findings.source_file, '/', 1), '') as source_kind,
        coalesce(findings.filed_period, findings.period) as finding_month

    from findings

    inner join rules
        on findings.rule_id = rules.rule_id

    left join file_kinds
        on findings.source_file = file_kinds.source_file

),

judged as (

    select
        reasons.*,
        reasons.shows_amounts
        and (
            reasons.source_kind in ('filings', 'registry', 'surveys')
            or reasons.cites_enterprise_line
            or (
                reasons.source_kind = 'districts'
                and exists (
                    select 1
                    from printing_cited
                    where printing_cited.finding_id = reasons.finding_id
                )
            )
        ) as about_enterprise,
        reasons.shows_amounts
        and reasons.source_kind = 'districts'
        and (
            reasons.district_code is null
            or not exists (
                select 1
                from district_cells
                where
                    district_cells.district_code = reasons.district_code
                    and district_cells.period = reasons.finding_month
                    and not district_cells.suppressed
            )
            or exists (
                select 1
                from compared_unpublished
                where compared_unpublished.finding_id = reasons.finding_id
            )
        ) as about_suppressed_cell,
        reasons.shows_amounts
        and reasons.source_kind = 'bureau'
        and (
            reasons.finding_month is null
            or not exists (
                select 1
                from division_groups
                where division_groups.period = reasons.finding_month and division_groups.is_compared_division
            )
            or exists (
                select 1
                from division_groups
                where
                    division_groups.period = reasons.finding_month
                    and division_groups.suppression_reason is not null
            )
        ) as about_small_group

    from reasons

),

withheld as (

    select
        judged.*,
        judged.about_enterprise or judged.about_suppressed_cell or judged.about_small_group as figures_withheld

    from judged

),

final as (

    select
        withheld.finding_id,
        withheld.rule_id,
        withheld.severity,
        withheld.district_code,
        withheld.period,
        withheld.subject,
        case when not withheld.figures_withheld then withheld.expected end as expected,
        case when not withheld.figures_withheld then withheld.actual end as actual,
        case
            when withheld.figures_withheld
                then
                    case
                        when withheld.source_kind = 'bureau' then '全市'
                        else {{ district_name_zh('withheld.district_code') }}
                    end
                    || coalesce({{ period_label_zh('withheld.period') }}, '')
                    || '：' || withheld.rule_title || '（' || withheld.subject || '）。'
                    || case
                        when withheld.about_enterprise then '涉及单个企业的数据'
                        when withheld.about_small_group then '涉及按数据保密规则不公布的企业组的数据'
                        else '涉及该区县按数据保密规则不公布（或尚未公布）的数据'
                    end
                    || '，分析库不列具体数值；完整说明（含数值）见'
                    || case when withheld.district_code is null then '全市' else '该区县的' end
                    || '反馈表。'
                    || {{ source_text('withheld.source_file', 'withheld.source_row') }}
            else withheld.message
        end as message,
        withheld.source_file,
        withheld.source_row,
        withheld.filed_period,
        withheld.figures_withheld

    from withheld

)

select * from final
