with source as (select * from {{ source('raw', 'district_submissions') }}),

renamed as (

    select
        ---------- ids
        district_code,

        ---------- text
        district_raw,

        ---------- dates
        cast({{ dbt.date_trunc('month', 'period') }} as date) as period,

        ---------- numerics
        enterprise_count,
        revenue_ytd_wan,
        rd_ytd_wan,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
