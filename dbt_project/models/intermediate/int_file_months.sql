{#-
    The month each monthly file reports: the period most of its lines carry within the months tracked
    (int_period_window), the latest on a tie; for a file none of whose lines is dated inside them (a
    one-line district table with its year mistyped), the month its name gives (…_2026-07.xlsx, as the
    ingest recorded it in the ledger), when that month is tracked. A finding on a line whose period
    is itself the fault (2062-07 typed for 2026-07, DQ14) is filed under this month
    (dq_findings.filed_period), so that the feedback workbook, district_monthly and the briefing
    count it where the officer sent it.
-#}

with

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

lines as (

    select
        filings.source_file,
        filings.period
    from {{ ref('stg_raw__filings') }} as filings

    union all

    select
        submissions.source_file,
        submissions.period
    from {{ ref('stg_raw__district_submissions') }} as submissions

    union all

    select
        bureau.source_file,
        bureau.period
    from {{ ref('stg_raw__bureau') }} as bureau

),

counted as (

    select
        lines.source_file,
        lines.period,
        count(*) as line_count

    from lines

    inner join {{ ref('int_period_window') }} as period_window
        on lines.period between period_window.first_period and period_window.last_period

    group by
        lines.source_file,
        lines.period

),

by_lines as (

    select
        counted.source_file,
        counted.period as file_period

    from counted

    qualify
        row_number() over (
            partition by counted.source_file
            order by counted.line_count desc, counted.period desc
        ) = 1

),

by_name as (

    -- the month the name of a file with lines gives, as the ingest read it (orchestration/ingest/
    -- values.py, named_period) and recorded it in the ledger, which also lists files whose lines are
    -- gone (withdrawn, superseded) or never came (rejected, refused)
    select distinct
        ledger.source_file,
        cast(ledger.named_period || '-01' as date) as file_period

    from ledger

    where
        ledger.named_period is not null
        and exists (
            select 1
            from lines
            where lines.source_file = ledger.source_file
        )

),

final as (

    select
        by_lines.source_file,
        by_lines.file_period

    from by_lines

    union all

    select
        by_name.source_file,
        by_name.file_period

    from by_name

    inner join {{ ref('int_period_window') }} as period_window
        on by_name.file_period between period_window.first_period and period_window.last_period

    anti join by_lines
        on by_name.source_file = by_lines.source_file

)

select * from final
