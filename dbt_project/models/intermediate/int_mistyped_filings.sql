{#-
    Filing lines dated outside the months tracked (DQ14) in a file that reports a month inside them:
    most likely that month's filing with its period mistyped (2062-07 in the file of 2026-07). One row
    per line, with the month of its file; line_rank 1 is an enterprise's first such line of the month.
    DQ10 points at it instead of asking for a missing filing, and the district's cross-table
    findings (DQ02, DQ03) say how many of its enterprises it leaves out of their totals.
-#}

with

filings as (select * from {{ ref('stg_raw__filings') }}),

file_months as (select * from {{ ref('int_file_months') }}),

period_window as (select * from {{ ref('int_period_window') }}),

final as (

    select
        filings.uscc,
        file_months.file_period,
        filings.period as typed_period,
        filings.source_file,
        filings.source_row,
        row_number() over (
            partition by filings.uscc, file_months.file_period
            order by filings.source_file, filings.source_row
        ) as line_rank

    from filings

    inner join file_months
        on filings.source_file = file_months.source_file

    cross join period_window

    where filings.period not between period_window.first_period and period_window.last_period

)

select * from final
