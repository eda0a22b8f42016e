with

chains as (

    select * from {{ ref('chains') }}

),

enterprise_months as (

    select * from {{ ref('int_enterprise_months_yoy') }}

),

periods as (

    select distinct enterprise_months.period from enterprise_months

),

chain_periods as (

    -- every chain in every period, also where no enterprise filed
    select
        periods.period,
        chains.chain_code,
        chains.chain_name_zh,
        chains.tier,
        chains.sort_order

    from periods

    cross join chains

),

chain_aggregates as (

    select
        enterprise_months.period,
        enterprise_months.chain_code,
        count(*) as enterprise_count,
        sum(enterprise_months.revenue_ytd_wan) as revenue_ytd_wan,
        {{ like_for_like_growth_pct('enterprise_months.revenue_ytd_wan', 'enterprise_months.prior_revenue_ytd_wan') }}
            as revenue_yoy_pct,
        sum(enterprise_months.rd_ytd_wan) as rd_ytd_wan,
        {{ ratio_of_sums_pct('enterprise_months.rd_ytd_wan', 'enterprise_months.revenue_ytd_wan') }}
            as rd_intensity_pct

    from enterprise_months

    group by
        enterprise_months.period,
        enterprise_months.chain_code

),

joined as (

    select
        chain_periods.period,
        chain_periods.chain_code,
        chain_periods.chain_name_zh,
        chain_periods.tier,
        chain_periods.sort_order,
        coalesce(chain_aggregates.enterprise_count, 0) as enterprise_count,
        chain_aggregates.revenue_ytd_wan,
        chain_aggregates.revenue_yoy_pct,
        chain_aggregates.rd_ytd_wan,
        chain_aggregates.rd_intensity_pct

    from chain_periods

    left join chain_aggregates
        on chain_periods.period = chain_aggregates.period
        and chain_periods.chain_code = chain_aggregates.chain_code

),

final as (

    select
        joined.period,
        joined.chain_code,
        joined.chain_name_zh,
        joined.tier,
        cast(joined.enterprise_count as bigint) as enterprise_count,
        cast({{ disclose(wan_to_yi('joined.revenue_ytd_wan'), 'joined.enterprise_count') }} as double)
            as revenue_ytd_yi,
        cast({{ disclose('joined.revenue_yoy_pct', 'joined.enterprise_count') }} as double)
            as revenue_yoy_pct,
        cast({{ disclose(wan_to_yi('joined.rd_ytd_wan'), 'joined.enterprise_count') }} as double)
            as rd_ytd_yi,
        cast({{ disclose('joined.rd_intensity_pct', 'joined.enterprise_count') }} as double)
            as rd_intensity_pct,
        {{ is_suppressed('joined.enterprise_count') }} as suppressed

    from joined

)

select * from final
