with

source as (

    select * from {{ source('raw', 'filings') }}

),

renamed as (

    select
        ---------- ids
        cast(uscc as varchar) as uscc,
        cast(district_code as varchar) as filing_district_code,

        ---------- text
        enterprise_name,
        district_raw as filing_district_raw,

        ---------- dates
        cast({{ dbt.date_trunc('month', 'period') }} as date) as period,

        ---------- numerics
        cast(revenue_ytd_wan as decimal(38, 6)) as revenue_ytd_wan,
        cast(rd_ytd_wan as decimal(38, 6)) as rd_ytd_wan,
        cast(employees as integer) as employees,

        ---------- provenance
        source_file,
        source_sheet,
        cast(source_row as integer) as source_row,
        file_sha256,
        cast(ingested_at as timestamp) as ingested_at

    from source

)

select * from renamed
