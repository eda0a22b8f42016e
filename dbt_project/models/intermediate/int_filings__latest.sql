{{ config(materialized='view') }}

{#-
    The filing line that counts for each credit code and period: "the latest row wins", once for
    every model that reads filings (int_enterprise_filings, int_enterprise_months). A view, so that
    an incremental build of int_enterprise_months that filters on period reads only those periods
    (DuckDB pushes the filter on the partition column below the window).
-#}

with

filings as (select * from {{ ref('stg_raw__filings') }}),

ranked_filings as (

    -- several filing lines for one enterprise and period (a corrected file, a line repeated)
    select
        filings.*,
        {{ latest_row_rank('filings', ['uscc', 'period']) }} as filing_rank

    from filings

),

latest_filings as (

    select
        ranked_filings.uscc,
        ranked_filings.filing_district_code,
        ranked_filings.enterprise_name,
        ranked_filings.filing_district_raw,
        ranked_filings.period,
        ranked_filings.revenue_ytd_wan,
        ranked_filings.rd_ytd_wan,
        ranked_filings.employees,
        ranked_filings.source_file,
        ranked_filings.source_sheet,
        ranked_filings.source_row,
        ranked_filings.file_sha256,
        ranked_filings.ingested_at

    from ranked_filings

    where ranked_filings.filing_rank = 1

)

select * from latest_filings
