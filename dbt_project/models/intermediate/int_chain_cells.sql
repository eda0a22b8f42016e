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
        chains.tier

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
            as rd_intensity_pct,
        {{ top_share('enterprise_months.revenue_ytd_wan') }} as top_revenue_share

    from enterprise_months

    group by
        enterprise_months.period,
        enterprise_months.chain_code

),

cells as (

    select
        chain_periods.period,
        chain_periods.chain_code,
        chain_periods.chain_name_zh,
        chain_periods.tier,
        coalesce(chain_aggregates.enterprise_count, 0) as enterprise_count,
        chain_aggregates.revenue_ytd_wan,
        chain_aggregates.revenue_yoy_pct,
        chain_aggregates.rd_ytd_wan,
        chain_aggregates.rd_intensity_pct,
        chain_aggregates.top_revenue_share,
        {{ primary_suppression_reason('chain_aggregates.enterprise_count', 'chain_aggregates.top_revenue_share') }}
            as primary_reason

    from chain_periods

    left join chain_aggregates
        on chain_periods.period = chain_aggregates.period
        and chain_periods.chain_code = chain_aggregates.chain_code

),

-- The chains partition the period's total, which indicator_progress publishes: a lone suppressed
-- cell would be the total minus the published ones. Cells without enterprises hold nothing, so
-- they neither count here nor serve as complements.
period_primary_counts as (

    select
        cells.period,
        count(*) as primary_suppressed_cells

    from cells

    where
        cells.primary_reason is not null
        and cells.enterprise_count > 0

    group by cells.period

),

complement_candidates as (

    select
        cells.period,
        cells.chain_code,
        {{ complement_rank('cells.period', 'cells.revenue_ytd_wan', 'cells.chain_code') }} as complement_rank

    from cells

    where
        cells.primary_reason is null
        and cells.enterprise_count > 0

),

flagged as (

    select
        cells.*,
        coalesce(
            cells.primary_reason,
            case
                when period_primary_counts.primary_suppressed_cells = 1
                    and complement_candidates.complement_rank = 1
                    then 'secondary'
            end
        ) as suppression_reason

    from cells

    left join period_primary_counts
        on cells.period = period_primary_counts.period

    left join complement_candidates
        on cells.period = complement_candidates.period
        and cells.chain_code = complement_candidates.chain_code

),

final as (

    select
        flagged.period,
        flagged.chain_code,
        flagged.chain_name_zh,
        flagged.tier,
        cast(flagged.enterprise_count as bigint) as enterprise_count,
        flagged.revenue_ytd_wan,
        flagged.revenue_yoy_pct,
        flagged.rd_ytd_wan,
        flagged.rd_intensity_pct,
        flagged.top_revenue_share,
        {{ is_small_cell('flagged.enterprise_count') }} as is_small_cell,
        {{ is_dominated('flagged.top_revenue_share') }} as is_dominated,
        flagged.suppression_reason,
        flagged.suppression_reason is not null as suppressed

    from flagged

)

select * from final
