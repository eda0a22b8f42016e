{#-
    What the enterprise filings of each district add up to: the yardstick of the cross-table rules
    on district submissions (DQ02 revenue, DQ03 enterprise count).
-#}

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

totals as (

    select
        enterprise_months.district_code,
        enterprise_months.period,
        count(*) as enterprise_count,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan

    from enterprise_months

    group by
        enterprise_months.district_code,
        enterprise_months.period

)

select * from totals
