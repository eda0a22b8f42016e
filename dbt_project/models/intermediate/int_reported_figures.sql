{#-
    The figures the data-quality rules on values read (DQ04 history, DQ06 unit, DQ07 within-table):
    each district submission that counts and each in-scope enterprise filing that counts, side by
    side, so that a rule is written once for both kinds of reporter.
-#}

with

reported as (

    select
        'district' as reporter_kind,
        submissions.district_code as reporter_key,
        submissions.district_code,
        cast(null as varchar) as enterprise_name,
        submissions.period,
        submissions.revenue_ytd_wan,
        submissions.rd_ytd_wan,
        submissions.enterprise_count,
        submissions.source_file,
        submissions.source_row

    from {{ ref('int_district_submission_months') }} as submissions

    union all

    select
        'enterprise' as reporter_kind,
        enterprise_months.uscc as reporter_key,
        enterprise_months.district_code,
        enterprises.enterprise_name,
        enterprise_months.period,
        enterprise_months.revenue_ytd_wan,
        enterprise_months.rd_ytd_wan,
        cast(null as bigint) as enterprise_count,
        enterprise_months.source_file,
        enterprise_months.source_row

    from {{ ref('int_enterprise_months') }} as enterprise_months

    -- the enterprise as the registry in force for the period's year names it
    inner join {{ ref('int_enterprises_in_scope') }} as enterprises
        on enterprise_months.uscc = enterprises.uscc
            and {{ period_year('enterprise_months.period') }} = enterprises.scope_year

)

select * from reported
