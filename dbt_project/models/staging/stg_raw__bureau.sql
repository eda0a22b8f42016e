with

source as (select * from {{ source('raw', 'bureau') }}),

renamed as (

    select
        ---------- ids
        cast(industry_code as varchar) as industry_code,

        ---------- text
        industry_raw,

        ---------- dates
        cast({{ dbt.date_trunc('month', 'period') }} as date) as period,

        ---------- numerics
        cast(revenue_ytd_wan as decimal(38, 6)) as revenue_ytd_wan,
        cast(yoy_pct as decimal(18, 6)) as yoy_pct,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
