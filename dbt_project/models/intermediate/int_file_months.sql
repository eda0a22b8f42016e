{#-
    The month each monthly file reports: the period most of its lines carry within the months tracked
    (int_period_window), the latest on a tie. A finding on a line whose period is itself the fault
    (2062-07 typed for 2026-07, DQ14) is filed under this month (dq_findings.filed_period), so that
    the feedback workbook, district_monthly and the briefing count it where the officer sent it.
-#}

with

filings as (select * from {{ ref('stg_raw__filings') }}),

submissions as (select * from {{ ref('stg_raw__district_submissions') }}),

bureau as (select * from {{ ref('stg_raw__bureau') }}),

period_window as (select * from {{ ref('int_period_window') }}),

lines as (

    select
        filings.source_file,
        filings.period
    from filings

    union all

    select
        submissions.source_file,
        submissions.period
    from submissions

    union all

    select
        bureau.source_file,
        bureau.period
    from bureau

),

counted as (

    select
        lines.source_file,
        lines.period,
        count(*) as line_count

    from lines

    inner join period_window
        on lines.period between period_window.first_period and period_window.last_period

    group by
        lines.source_file,
        lines.period

),

final as (

    select
        counted.source_file,
        counted.period as file_period

    from counted

    qualify
        row_number() over (
            partition by counted.source_file
            order by counted.line_count desc, counted.period desc
        ) = 1

)

select * from final
