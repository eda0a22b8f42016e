with source as (select * from {{ source('raw', 'registry') }}),

renamed as (

    select
        ---------- ids
        uscc,
        district_code,
        industry_code,
        chain_code,

        ---------- text
        enterprise_name,
        district_raw,
        chain_raw,

        ---------- booleans
        coalesce(above_scale, true) as is_above_scale,

        ---------- years
        registry_year,
        -- an undated list adds to the latest dated list; with no dated list at all, the undated ones
        -- form one list together. Taking the year it arrived in would make a supplement of a few
        -- enterprises the whole list of the current year, and every other enterprise leave the scope
        cast(
            coalesce(
                registry_year,
                max(registry_year) over (),
                min({{ period_year('ingested_at') }}) over ()
            ) as integer
        ) as registry_vintage,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
