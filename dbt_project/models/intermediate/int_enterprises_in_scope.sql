with

in_scope as (

    select
        registry_rows_in_force.uscc,
        registry_rows_in_force.scope_year,
        registry_rows_in_force.registry_vintage,
        registry_rows_in_force.enterprise_name,
        registry_rows_in_force.district_code,
        registry_rows_in_force.industry_code,
        -- the registry's chain wins over the industry default (docs/indicators.md, The "352" chains)
        coalesce(registry_rows_in_force.chain_code, industry_scope.default_chain) as chain_code,
        substring(registry_rows_in_force.industry_code, 1, 2) as division,
        case
            when industry_scope.industry_code is not null then 'industry_class' else 'chain_tag'
        end as in_scope_by,
        registry_rows_in_force.source_file,
        registry_rows_in_force.source_row

    from {{ ref('int_registry_rows_in_force') }} as registry_rows_in_force

    left join {{ ref('industry_scope') }} as industry_scope
        on registry_rows_in_force.industry_code = industry_scope.industry_code

    left join {{ ref('chains') }} as tagged_chains
        on registry_rows_in_force.chain_code = tagged_chains.chain_code

    where
        registry_rows_in_force.is_above_scale
        -- a class of the scope, or a registry tag naming one of the plan's chains: the plan's
        -- smart-home makers (3851 refrigerators, 3852 air conditioners, 3855 washing machines) and
        -- the metaverse chain, which has no class of its own, count only where the registry says so
        and (
            industry_scope.industry_code is not null
            or tagged_chains.in_plan
        )

)

select * from in_scope
