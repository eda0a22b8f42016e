with

registry as (

    select * from {{ ref('stg_raw__registry') }}

),

industry_scope as (

    select * from {{ ref('industry_scope') }}

),

latest_registry_rows as (

    -- an enterprise listed by several registry files takes its latest row
    select
        registry.*,
        row_number() over (
            partition by registry.uscc
            order by
                registry.ingested_at desc,
                registry.source_file desc,
                registry.source_row desc
        ) as registry_row_rank

    from registry

),

in_scope as (

    select
        latest_registry_rows.uscc,
        latest_registry_rows.enterprise_name,
        latest_registry_rows.district_code,
        latest_registry_rows.industry_code,
        -- the registry's chain wins over the industry default (CONTRACT §3)
        coalesce(latest_registry_rows.chain_code, industry_scope.default_chain) as chain_code,
        substring(latest_registry_rows.industry_code, 1, 2) as division

    from latest_registry_rows

    inner join industry_scope
        on latest_registry_rows.industry_code = industry_scope.industry_code

    where
        latest_registry_rows.registry_row_rank = 1
        and latest_registry_rows.is_above_scale

)

select * from in_scope
