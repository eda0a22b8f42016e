with

source as (

    select * from {{ source('raw', 'district_submissions') }}

),

renamed as (

    select
        ---------- ids
        cast(district_code as varchar) as district_code,

        ---------- text
        district_raw,

        ---------- dates
        cast({{ dbt.date_trunc('month', 'period') }} as date) as period,

        ---------- numerics
        cast(enterprise_count as integer) as enterprise_count,
        cast(revenue_ytd_wan as decimal(38, 6)) as revenue_ytd_wan,
        cast(rd_ytd_wan as decimal(38, 6)) as rd_ytd_wan,

        ---------- provenance
        source_file,
        source_sheet,
        cast(source_row as integer) as source_row,
        file_sha256,
        cast(ingested_at as timestamp) as ingested_at

    from source

)

select * from renamed
