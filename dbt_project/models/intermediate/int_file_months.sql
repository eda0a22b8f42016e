{#-
    The month each monthly file reports: the period most of its lines carry within the months tracked
    (int_period_window), the latest on a tie; for a file none of whose lines is dated inside them (a
    one-line district table with its year mistyped), the month its name gives (…_2026-07.xlsx), when
    that month is tracked. A finding on a line whose period is itself the fault
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

file_names as (

    select distinct
        lines.source_file,
        regexp_replace(lines.source_file, '^.*/', '') as file_name

    from lines

),

named as (

    -- the month a file's name gives, read as the ingest reads it (orchestration/ingest/values.py,
    -- find_period): a span's last month (2024年1-10月), a month (2024年10月), else 2024-10, 2024_10,
    -- 2024.10 or 202410 standing apart from other digits
    select
        file_names.source_file,
        coalesce(
            {{ named_month('file_names.file_name', "'((19|20)[0-9]{2})年[0-9]{1,2}[-—–~～至]([0-9]{1,2})月'", 1, 3) }},
            {{ named_month('file_names.file_name', "'((19|20)[0-9]{2})年([0-9]{1,2})月'", 1, 3) }},
            {{ named_month('file_names.file_name', "'(^|[^0-9])((19|20)[0-9]{2})[-_.]?(0[1-9]|1[0-2])([^0-9]|$)'", 2, 4) }}
        ) as file_period

    from file_names

),

by_name as (

    select
        named.source_file,
        named.file_period

    from named

    where named.file_period is not null

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

    inner join period_window
        on by_name.file_period between period_window.first_period and period_window.last_period

    where not exists (
            select 1
            from by_lines
            where by_lines.source_file = by_name.source_file
        )

)

select * from final
