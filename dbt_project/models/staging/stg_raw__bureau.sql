with source as (select * from {{ source('raw', 'bureau') }}),

renamed as (

    select
        ---------- ids
        industry_code,

        ---------- text
        industry_raw,

        ---------- dates
        cast({{ dbt.date_trunc('month', 'period') }} as date) as period,

        ---------- numerics
        revenue_ytd_wan,
        yoy_pct,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
