{#-
    Each district submission that counts beside what its in-scope enterprises' filings add up to:
    the comparison the cross-table rules on district submissions make (DQ02 revenue, DQ03
    enterprise count), built once. A submission is compared once the enterprise filings of its
    period are in. mistyped_enterprise_count: the district's in-scope enterprises without a filing of
    the period whose line in the period's file is dated outside the months tracked (DQ14), left out
    of the filed totals by that typo.
-#}

with

submissions as (select * from {{ ref('int_district_submission_months') }}),

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

filed_periods as (select * from {{ ref('int_filed_periods') }}),

enterprises as (select * from {{ ref('int_enterprises_in_scope') }}),

mistyped_periods as (select * from {{ ref('int_mistyped_periods') }}),

filing_totals as (

    select
        enterprise_months.district_code,
        enterprise_months.period,
        count(*) as enterprise_count,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan

    from enterprise_months

    group by
        enterprise_months.district_code,
        enterprise_months.period

),

mistyped_totals as (

    select
        enterprises.district_code,
        mistyped_periods.file_period as period,
        count(distinct enterprises.uscc) as enterprise_count

    from mistyped_periods

    inner join enterprises
        on mistyped_periods.reporter_key = enterprises.uscc
            and {{ period_year('mistyped_periods.file_period') }} = enterprises.scope_year

    where
        mistyped_periods.reporter_kind = 'enterprise'
        and not exists (
            select 1
            from enterprise_months
            where
                enterprise_months.uscc = mistyped_periods.reporter_key
                and enterprise_months.period = mistyped_periods.file_period
        )

    group by
        enterprises.district_code,
        mistyped_periods.file_period

),

reconciled as (

    select
        submissions.district_code,
        submissions.period,
        submissions.enterprise_count as submitted_enterprise_count,
        submissions.revenue_ytd_wan as submitted_revenue_ytd_wan,
        coalesce(filing_totals.enterprise_count, 0) as filed_enterprise_count,
        coalesce(filing_totals.revenue_ytd_wan, 0) as filed_revenue_ytd_wan,
        coalesce(mistyped_totals.enterprise_count, 0) as mistyped_enterprise_count,
        submissions.source_file,
        submissions.source_row

    from submissions

    inner join filed_periods
        on submissions.period = filed_periods.period

    left join filing_totals
        on submissions.district_code = filing_totals.district_code
            and submissions.period = filing_totals.period

    left join mistyped_totals
        on submissions.district_code = mistyped_totals.district_code
            and submissions.period = mistyped_totals.period

)

select * from reconciled
