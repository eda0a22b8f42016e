{#-
    Every enterprise that filed, in scope or not, registered or not: the filing line that counts
    for each credit code and period, with what the registry vintage in force for the period's year
    says about the enterprise (a period outside the scope years, a typo DQ14 reports, takes the
    nearest scope year's). The data-quality rules on identity and coverage read it;
    int_enterprise_months keeps only the in-scope enterprises whose figures are counted.
-#}

with

scope_year_bounds as (

    select
        min(registry_vintages.scope_year) as first_scope_year,
        max(registry_vintages.scope_year) as last_scope_year

    from {{ ref('int_registry_vintages') }} as registry_vintages

),

filings_with_scope_year as (

    select
        latest_filings.*,
        least(
            greatest({{ period_year('latest_filings.period') }}, scope_year_bounds.first_scope_year),
            scope_year_bounds.last_scope_year
        ) as scope_year

    from {{ ref('int_filings__latest') }} as latest_filings

    cross join scope_year_bounds

),

final as (

    select
        filings_with_scope_year.uscc,
        filings_with_scope_year.period,
        coalesce(
            nullif(trim(registry_rows_in_force.enterprise_name), ''),
            nullif(trim(filings_with_scope_year.enterprise_name), '')
        ) as enterprise_name,
        registry_rows_in_force.district_code as registry_district_code,
        filings_with_scope_year.filing_district_code,
        -- the registry decides where an enterprise counts; an unregistered one is routed to the
        -- district it filed through
        coalesce(registry_rows_in_force.district_code, filings_with_scope_year.filing_district_code) as district_code,
        registry_rows_in_force.uscc is not null as is_registered,
        enterprises.uscc is not null as is_in_scope,
        filings_with_scope_year.revenue_ytd_wan,
        filings_with_scope_year.rd_ytd_wan,
        filings_with_scope_year.employees,
        filings_with_scope_year.source_file,
        filings_with_scope_year.source_row

    from filings_with_scope_year

    left join {{ ref('int_registry_rows_in_force') }} as registry_rows_in_force
        on filings_with_scope_year.uscc = registry_rows_in_force.uscc
            and filings_with_scope_year.scope_year = registry_rows_in_force.scope_year

    left join {{ ref('int_enterprises_in_scope') }} as enterprises
        on filings_with_scope_year.uscc = enterprises.uscc
            and filings_with_scope_year.scope_year = enterprises.scope_year

)

select * from final
