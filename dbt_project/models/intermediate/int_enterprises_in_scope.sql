with

registry as (

    select * from {{ ref('stg_raw__registry') }}

),

registry_vintages as (

    select * from {{ ref('int_registry_vintages') }}

),

industry_scope as (

    select * from {{ ref('industry_scope') }}

),

vintage_rows as (

    -- the files of one vintage together form its list: an enterprise listed by several of them
    -- takes its latest row
    select
        registry.*,
        row_number() over (
            partition by
                registry.registry_vintage,
                registry.uscc
            order by
                registry.ingested_at desc,
                registry.source_file desc,
                registry.source_row desc
        ) as registry_row_rank

    from registry

),

in_scope as (

    select
        vintage_rows.uscc,
        registry_vintages.scope_year,
        vintage_rows.registry_vintage,
        vintage_rows.enterprise_name,
        vintage_rows.district_code,
        vintage_rows.industry_code,
        -- the registry's chain wins over the industry default (CONTRACT §3)
        coalesce(vintage_rows.chain_code, industry_scope.default_chain) as chain_code,
        substring(vintage_rows.industry_code, 1, 2) as division,
        vintage_rows.source_file,
        vintage_rows.source_row

    from registry_vintages

    inner join vintage_rows
        on registry_vintages.registry_vintage = vintage_rows.registry_vintage

    inner join industry_scope
        on vintage_rows.industry_code = industry_scope.industry_code

    where
        vintage_rows.registry_row_rank = 1
        and vintage_rows.is_above_scale

)

select * from in_scope
