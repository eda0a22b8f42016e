with

source as (select * from {{ source('raw', 'filings') }}),

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
        {{ provenance_columns() }}

    from source

)

select * from renamed
