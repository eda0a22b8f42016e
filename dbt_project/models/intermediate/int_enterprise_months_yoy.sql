with

enterprise_months as (

    select * from {{ ref('int_enterprise_months') }}

),

prior_year_months as (

    select
        enterprise_months.uscc,
        enterprise_months.period,
        enterprise_months.revenue_ytd_wan,
        enterprise_months.rd_ytd_wan

    from enterprise_months

),

joined as (

    select
        enterprise_months.uscc,
        enterprise_months.period,
        enterprise_months.district_code,
        enterprise_months.chain_code,
        enterprise_months.division,
        enterprise_months.revenue_ytd_wan,
        enterprise_months.rd_ytd_wan,
        prior_year_months.revenue_ytd_wan as prior_revenue_ytd_wan,
        prior_year_months.rd_ytd_wan as prior_rd_ytd_wan

    from enterprise_months

    left join prior_year_months
        on enterprise_months.uscc = prior_year_months.uscc
        and {{ same_period_last_year('enterprise_months.period') }} = prior_year_months.period

)

select * from joined
