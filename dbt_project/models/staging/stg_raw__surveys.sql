with source as (select * from {{ source('raw', 'surveys') }}),

renamed as (

    select
        ---------- ids
        uscc,

        ---------- dates
        survey_year,

        ---------- booleans
        design as is_design_digital,
        production as is_production_digital,
        management as is_management_digital,
        sales as is_sales_digital,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
