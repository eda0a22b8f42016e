{{ config(materialized='view') }}

{#-
    The filing line that counts for each credit code and period: "the latest row wins", once for
    every model that reads filings (int_enterprise_filings, int_enterprise_months). A view, so that
    an incremental build of int_enterprise_months that filters on period reads only those periods
    (DuckDB pushes the filter on the partition column below the window).
-#}

with

latest_filings as (

    -- several filing lines for one enterprise and period (a corrected file, a line repeated)
    select
        filings.uscc,
        filings.filing_district_code,
        filings.enterprise_name,
        filings.filing_district_raw,
        filings.period,
        filings.revenue_ytd_wan,
        filings.rd_ytd_wan,
        filings.employees,
        filings.source_file,
        filings.source_sheet,
        filings.source_row,
        filings.file_sha256,
        filings.ingested_at

    from {{ ref('stg_raw__filings') }} as filings

    {{ qualify_latest_row('filings', ['uscc', 'period']) }}

)

select * from latest_filings
