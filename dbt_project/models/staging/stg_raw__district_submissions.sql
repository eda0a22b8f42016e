with

source as (select * from {{ source('raw', 'district_submissions') }}),

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
        {{ provenance_columns() }}

    from source

)

select * from renamed
