{#-
    Lines dated outside the months tracked (DQ14) in a file that reports a month inside them: most
    likely that month's line with its period mistyped (2062-07 in the file of 2026-07). Enterprise
    filings and district submissions, one row per line, with the month of its file; line_rank 1 is a
    reporter's first such line of the month. DQ10 (a filing) and DQ01 (a district table) point at
    it instead of asking for a missing one, and the district's cross-table findings (DQ02, DQ03) say
    how many of its enterprises the typo leaves out of their totals.
-#}

with

lines as (

    select
        'enterprise' as reporter_kind,
        filings.uscc as reporter_key,
        filings.period,
        filings.source_file,
        filings.source_row
    from {{ ref('stg_raw__filings') }} as filings

    union all

    select
        'district' as reporter_kind,
        submissions.district_code as reporter_key,
        submissions.period,
        submissions.source_file,
        submissions.source_row
    from {{ ref('stg_raw__district_submissions') }} as submissions

),

final as (

    select
        lines.reporter_kind,
        lines.reporter_key,
        file_months.file_period,
        lines.period as typed_period,
        lines.source_file,
        lines.source_row,
        row_number() over (
            partition by lines.reporter_kind, lines.reporter_key, file_months.file_period
            order by lines.source_file, lines.source_row
        ) as line_rank

    from lines

    inner join {{ ref('int_file_months') }} as file_months
        on lines.source_file = file_months.source_file

    cross join {{ ref('int_period_window') }} as period_window

    where lines.period not between period_window.first_period and period_window.last_period

)

select * from final
