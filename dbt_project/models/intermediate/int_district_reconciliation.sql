{#-
    Each district submission that counts beside what its in-scope enterprises' filings add up to:
    the comparison the cross-table rules on district submissions make (DQ02 revenue, DQ03
    enterprise count), built once. A submission is compared once the enterprise filings of its
    period are in. Beside the filed totals, the lines other findings leave out of them, which the
    district may rightly have counted: the district's in-scope enterprises without a filing of the
    period whose line in the period's file is dated outside the months tracked (DQ14), and the
    filings through the district most likely filed under a mistyped code (int_mistyped_codes: a code
    the registry does not hold beside a registered namesake that did not file; DQ10). A filing under
    an unknown code without such a namesake may be a firm outside the statistics: not counted.
-#}

with

filing_totals as (

    select
        enterprise_months.district_code,
        enterprise_months.period,
        count(*) as enterprise_count,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan

    from {{ ref('int_enterprise_months') }} as enterprise_months

    group by
        enterprise_months.district_code,
        enterprise_months.period

),

mistyped_totals as (

    select
        enterprises.district_code,
        mistyped_periods.file_period as period,
        count(distinct enterprises.uscc) as enterprise_count,
        -- an enterprise's first such line of the month: the one DQ10 points at
        sum(enterprise_filings.revenue_ytd_wan) filter (where mistyped_periods.line_rank = 1) as revenue_ytd_wan

    from {{ ref('int_mistyped_periods') }} as mistyped_periods

    inner join {{ ref('int_enterprises_in_scope') }} as enterprises
        on mistyped_periods.reporter_key = enterprises.uscc
            and {{ period_year('mistyped_periods.file_period') }} = enterprises.scope_year

    left join {{ ref('int_enterprise_filings') }} as enterprise_filings
        on mistyped_periods.source_file = enterprise_filings.source_file
            and mistyped_periods.source_row = enterprise_filings.source_row

    anti join {{ ref('int_enterprise_months') }} as enterprise_months
        on mistyped_periods.reporter_key = enterprise_months.uscc
            and mistyped_periods.file_period = enterprise_months.period

    where mistyped_periods.reporter_kind = 'enterprise'

    group by
        enterprises.district_code,
        mistyped_periods.file_period

),

mistyped_code_totals as (

    select
        mistyped_codes.district_code,
        mistyped_codes.period,
        count(*) as enterprise_count,
        sum(mistyped_codes.revenue_ytd_wan) as revenue_ytd_wan

    from {{ ref('int_mistyped_codes') }} as mistyped_codes

    group by
        mistyped_codes.district_code,
        mistyped_codes.period

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
        coalesce(mistyped_totals.revenue_ytd_wan, 0) as mistyped_revenue_ytd_wan,
        coalesce(mistyped_code_totals.enterprise_count, 0) as mistyped_code_enterprise_count,
        coalesce(mistyped_code_totals.revenue_ytd_wan, 0) as mistyped_code_revenue_ytd_wan,
        submissions.source_file,
        submissions.source_row

    from {{ ref('int_district_submission_months') }} as submissions

    inner join {{ ref('int_filed_periods') }} as filed_periods
        on submissions.period = filed_periods.period

    left join filing_totals
        on submissions.district_code = filing_totals.district_code
            and submissions.period = filing_totals.period

    left join mistyped_totals
        on submissions.district_code = mistyped_totals.district_code
            and submissions.period = mistyped_totals.period

    left join mistyped_code_totals
        on submissions.district_code = mistyped_code_totals.district_code
            and submissions.period = mistyped_code_totals.period

)

select * from reconciled
