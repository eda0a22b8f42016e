with

registry as (select * from {{ ref('stg_raw__registry') }}),

registry_vintages as (select * from {{ ref('int_registry_vintages') }}),

industry_scope as (select * from {{ ref('industry_scope') }}),

chains as (select * from {{ ref('chains') }}),

vintage_rows as (

    -- the files of one vintage together form its list: an enterprise listed by several of them
    -- takes its latest row
    select
        registry.*,
        {{ latest_row_rank('registry', ['registry_vintage', 'uscc']) }} as registry_row_rank

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
        -- the registry's chain wins over the industry default (docs/indicators.md, The "352" chains)
        coalesce(vintage_rows.chain_code, industry_scope.default_chain) as chain_code,
        substring(vintage_rows.industry_code, 1, 2) as division,
        case
            when industry_scope.industry_code is not null then 'industry_class' else 'chain_tag'
        end as in_scope_by,
        vintage_rows.source_file,
        vintage_rows.source_row

    from registry_vintages

    inner join vintage_rows
        on registry_vintages.registry_vintage = vintage_rows.registry_vintage

    left join industry_scope
        on vintage_rows.industry_code = industry_scope.industry_code

    left join chains as tagged_chains
        on vintage_rows.chain_code = tagged_chains.chain_code

    where
        vintage_rows.registry_row_rank = 1
        and vintage_rows.is_above_scale
        -- a class of the scope, or a registry tag naming one of the plan's chains: the plan's
        -- smart-home makers (3851 refrigerators, 3852 air conditioners, 3855 washing machines) and
        -- the metaverse chain, which has no class of its own, count only where the registry says so
        and (
            industry_scope.industry_code is not null
            or tagged_chains.tier in ('core', 'growth', 'future')
        )

)

select * from in_scope
