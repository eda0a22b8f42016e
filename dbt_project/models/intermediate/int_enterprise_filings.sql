{#-
    Every enterprise that filed, in scope or not, registered or not: the filing line that counts
    for each credit code and period, with what the registry says about the enterprise. The
    data-quality rules on identity and coverage read it; int_enterprise_months keeps only the
    in-scope enterprises whose figures are counted.
-#}

with

filings as (

    select * from {{ ref('stg_raw__filings') }}

),

registry as (

    select * from {{ ref('stg_raw__registry') }}

),

enterprises as (

    select * from {{ ref('int_enterprises_in_scope') }}

),

ranked_filings as (

    -- several filing lines for one enterprise and period: the latest one counts
    select
        filings.*,
        row_number() over (
            partition by
                filings.uscc,
                filings.period
            order by
                filings.ingested_at desc,
                filings.source_file desc,
                filings.source_row desc
        ) as filing_rank

    from filings

),

latest_registry_rows as (

    -- an enterprise listed by several registry files takes its latest row
    select
        registry.uscc,
        registry.enterprise_name,
        registry.district_code,
        row_number() over (
            partition by registry.uscc
            order by
                registry.ingested_at desc,
                registry.source_file desc,
                registry.source_row desc
        ) as registry_row_rank

    from registry

),

final as (

    select
        ranked_filings.uscc,
        ranked_filings.period,
        coalesce(
            nullif(trim(latest_registry_rows.enterprise_name), ''),
            nullif(trim(ranked_filings.enterprise_name), '')
        ) as enterprise_name,
        latest_registry_rows.district_code as registry_district_code,
        ranked_filings.filing_district_code,
        -- the registry decides where an enterprise counts; an unregistered one is routed to the
        -- district it filed through
        coalesce(latest_registry_rows.district_code, ranked_filings.filing_district_code) as district_code,
        latest_registry_rows.uscc is not null as is_registered,
        enterprises.uscc is not null as is_in_scope,
        ranked_filings.revenue_ytd_wan,
        ranked_filings.rd_ytd_wan,
        ranked_filings.employees,
        ranked_filings.source_file,
        ranked_filings.source_row

    from ranked_filings

    left join latest_registry_rows
        on ranked_filings.uscc = latest_registry_rows.uscc
        and latest_registry_rows.registry_row_rank = 1

    left join enterprises
        on ranked_filings.uscc = enterprises.uscc

    where ranked_filings.filing_rank = 1

)

select * from final
