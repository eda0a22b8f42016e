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

counted_lines as (

    -- the filed lines
    select
        'filed' as counted_as,
        enterprise_months.district_code,
        enterprise_months.period,
        enterprise_months.uscc,
        enterprise_months.revenue_ytd_wan,
        true as counts_revenue

    from {{ ref('int_enterprise_months') }} as enterprise_months

    union all

    -- the lines of enterprises without a filing of the period dated outside the months tracked;
    -- an enterprise's revenue from its first such line of the month: the one DQ10 points at
    select
        'mistyped_period' as counted_as,
        enterprises.district_code,
        mistyped_periods.file_period as period,
        enterprises.uscc,
        enterprise_filings.revenue_ytd_wan,
        mistyped_periods.line_rank = 1 as counts_revenue

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

    union all

    -- the filings most likely under a mistyped credit code
    select
        'mistyped_code' as counted_as,
        mistyped_codes.district_code,
        mistyped_codes.period,
        mistyped_codes.registered_uscc as uscc,
        mistyped_codes.revenue_ytd_wan,
        true as counts_revenue

    from {{ ref('int_mistyped_codes') }} as mistyped_codes

),

totals as (

    select
        counted_lines.district_code,
        counted_lines.period,
        count(*) filter (where counted_lines.counted_as = 'filed') as filed_enterprise_count,
        sum(counted_lines.revenue_ytd_wan) filter (where counted_lines.counted_as = 'filed')
            as filed_revenue_ytd_wan,
        count(distinct counted_lines.uscc) filter (where counted_lines.counted_as = 'mistyped_period')
            as mistyped_enterprise_count,
        sum(counted_lines.revenue_ytd_wan) filter (
            where counted_lines.counted_as = 'mistyped_period' and counted_lines.counts_revenue
        ) as mistyped_revenue_ytd_wan,
        count(*) filter (where counted_lines.counted_as = 'mistyped_code') as mistyped_code_enterprise_count,
        sum(counted_lines.revenue_ytd_wan) filter (where counted_lines.counted_as = 'mistyped_code')
            as mistyped_code_revenue_ytd_wan

    from counted_lines

    group by
        counted_lines.district_code,
        counted_lines.period

),

reconciled as (

    select
        submissions.district_code,
        submissions.period,
        submissions.enterprise_count as submitted_enterprise_count,
        submissions.revenue_ytd_wan as submitted_revenue_ytd_wan,
        coalesce(totals.filed_enterprise_count, 0) as filed_enterprise_count,
        coalesce(totals.filed_revenue_ytd_wan, 0) as filed_revenue_ytd_wan,
        coalesce(totals.mistyped_enterprise_count, 0) as mistyped_enterprise_count,
        coalesce(totals.mistyped_revenue_ytd_wan, 0) as mistyped_revenue_ytd_wan,
        coalesce(totals.mistyped_code_enterprise_count, 0) as mistyped_code_enterprise_count,
        coalesce(totals.mistyped_code_revenue_ytd_wan, 0) as mistyped_code_revenue_ytd_wan,
        submissions.source_file,
        submissions.source_row

    from {{ ref('int_district_submission_months') }} as submissions

    inner join {{ ref('int_filed_periods') }} as filed_periods
        on submissions.period = filed_periods.period

    left join totals
        on submissions.district_code = totals.district_code
            and submissions.period = totals.period

)

select * from reconciled
