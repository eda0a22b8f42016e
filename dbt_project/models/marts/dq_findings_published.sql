{#-
    The findings as analysts get them: publish copies this model into the snapshot as
    marts.dq_findings. A finding whose rule prints reported amounts (dq_rule_catalogue.shows_amounts)
    would undo the disclosure rule when it is about one enterprise's line (a filing, a registry or a
    survey line), or about a reporting unit whose cell district_monthly suppresses in the finding's
    period or in the twelve months before it (DQ04, DQ05, DQ06 and DQ13 print the figures of an earlier
    period). Its expected and actual are withheld, and its message names the rule, the line and where
    the full text is: the district's feedback workbook, which reads marts.dq_findings.
-#}

with

findings as (select * from {{ ref('dq_findings') }}),

rules as (select * from {{ ref('dq_rule_catalogue') }}),

district_cells as (select * from {{ ref('int_district_cells') }}),

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

-- masked as dq_findings masks its source_file, so that the two compare
enterprise_files as (

    select distinct {{ mask_credit_codes('ledger.source_file') }} as source_file

    from ledger

    where ledger.kind in ('filings', 'registry', 'surveys')

),

suppressed_cells as (

    select
        district_cells.district_code,
        district_cells.period

    from district_cells

    where district_cells.suppressed

),

reasons as (

    select
        findings.*,
        rules.title as rule_title,
        rules.shows_amounts and enterprise_files.source_file is not null as about_enterprise,
        rules.shows_amounts and exists (
            select 1
            from suppressed_cells
            where
                suppressed_cells.district_code = findings.district_code
                and suppressed_cells.period between findings.period - interval 12 month and findings.period
        ) as about_suppressed_cell

    from findings

    inner join rules
        on findings.rule_id = rules.rule_id

    left join enterprise_files
        on findings.source_file = enterprise_files.source_file

),

withheld as (

    select
        reasons.*,
        reasons.about_enterprise or reasons.about_suppressed_cell as figures_withheld

    from reasons

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
                    {{ district_name_zh('withheld.district_code') }}
                    || coalesce({{ period_label_zh('withheld.period') }}, '')
                    || '：' || withheld.rule_title || '（' || withheld.subject || '）。'
                    || case
                        when withheld.about_enterprise then '涉及单个企业的数据'
                        else '涉及该区县按数据保密规则不公布的数据'
                    end
                    || '，分析库不列具体数值；完整说明（含数值）见该区县的反馈表。'
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
