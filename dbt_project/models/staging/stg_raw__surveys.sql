with

source as (select * from {{ source('raw', 'surveys') }}),

renamed as (

    select
        ---------- ids
        cast(uscc as varchar) as uscc,

        ---------- dates
        cast(survey_year as integer) as survey_year,

        ---------- booleans
        cast(design as boolean) as is_design_digital,
        cast(production as boolean) as is_production_digital,
        cast(management as boolean) as is_management_digital,
        cast(sales as boolean) as is_sales_digital,

        ---------- provenance
        {{ provenance_columns() }}

    from source

)

select * from renamed
