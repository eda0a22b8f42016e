{#-
    Filing lines most likely filed under a mistyped credit code: a filing whose code the registry in
    force does not hold, and an in-scope enterprise of that registry with no filing for the period,
    of the same name, district and period. One of each only: two of a name on either side are left
    apart, as which is which cannot be told. DQ10 says so on both of its findings, and the district's
    DQ02 and DQ03 count the line as that enterprise's (int_district_reconciliation); an unregistered
    filing without such a namesake may be a firm outside the statistics, which the district may
    rightly have left out, so it is not counted there.
-#}

with

unregistered as (

    select
        enterprise_filings.district_code,
        enterprise_filings.period,
        nullif(trim(enterprise_filings.enterprise_name), '') as enterprise_name,
        enterprise_filings.revenue_ytd_wan,
        enterprise_filings.source_file,
        enterprise_filings.source_row

    from {{ ref('int_enterprise_filings') }} as enterprise_filings

    where not enterprise_filings.is_registered

),

paired as (

    select
        unregistered.district_code,
        unregistered.period,
        unregistered.revenue_ytd_wan,
        unregistered.source_file,
        unregistered.source_row,
        enterprises.uscc as registered_uscc,
        enterprises.source_file as registry_file,
        enterprises.source_row as registry_row

    from unregistered

    inner join {{ ref('int_enterprises_in_scope') }} as enterprises
        on unregistered.district_code = enterprises.district_code
            and unregistered.enterprise_name = nullif(trim(enterprises.enterprise_name), '')
            and {{ period_year('unregistered.period') }} = enterprises.scope_year

    anti join {{ ref('int_enterprise_filings') }} as enterprise_filings
        on enterprises.uscc = enterprise_filings.uscc
            and unregistered.period = enterprise_filings.period

    qualify
        count(*) over (partition by enterprises.uscc, unregistered.period) = 1
        and count(*) over (partition by unregistered.source_file, unregistered.source_row) = 1

)

select * from paired
