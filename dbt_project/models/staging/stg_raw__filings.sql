with source as (select * from {{ source('raw', 'filings') }}),

renamed as (

    select
        ---------- ids
        uscc,
        district_code as filing_district_code,

        ---------- text
        enterprise_name,
        district_raw as filing_district_raw,

        ---------- dates
        cast({{ dbt.date_trunc('month', 'period') }} as date) as period,

        ---------- numerics
        revenue_ytd_wan,
        rd_ytd_wan,
        employees,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
