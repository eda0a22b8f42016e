with

reporting_units as (

    select * from {{ ref('reporting_units') }}

),

enterprise_months as (

    select * from {{ ref('int_enterprise_months_yoy') }}

),

enterprise_surveys as (

    select * from {{ ref('int_enterprise_surveys') }}

),

periods as (

    select distinct enterprise_months.period from enterprise_months

),

district_periods as (

    -- every reporting unit in every period, also where no enterprise filed
    select
        periods.period,
        reporting_units.district_code,
        reporting_units.district_name

    from periods

    cross join reporting_units

),

district_aggregates as (

    select
        enterprise_months.period,
        enterprise_months.district_code,
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
        enterprise_months.district_code

),

district_surveys as (

    select
        enterprise_surveys.district_code,
        enterprise_surveys.survey_year,
        count(*) as surveyed_count,
        cast(sum(case when enterprise_surveys.is_fully_digital then 1 else 0 end) as double)
            / count(*) * 100 as digitalization_rate_pct

    from enterprise_surveys

    group by
        enterprise_surveys.district_code,
        enterprise_surveys.survey_year

),

cells as (

    select
        district_periods.period,
        district_periods.district_code,
        district_periods.district_name,
        coalesce(district_aggregates.enterprise_count, 0) as enterprise_count,
        district_aggregates.revenue_ytd_wan,
        district_aggregates.revenue_yoy_pct,
        district_aggregates.rd_ytd_wan,
        district_aggregates.rd_intensity_pct,
        coalesce(district_surveys.surveyed_count, 0) as surveyed_count,
        district_surveys.digitalization_rate_pct,
        district_aggregates.top_revenue_share,
        {{ primary_suppression_reason('district_aggregates.enterprise_count', 'district_aggregates.top_revenue_share') }}
            as primary_reason

    from district_periods

    left join district_aggregates
        on district_periods.period = district_aggregates.period
        and district_periods.district_code = district_aggregates.district_code

    left join district_surveys
        on district_periods.district_code = district_surveys.district_code
        and {{ period_year('district_periods.period') }} = district_surveys.survey_year

),

-- The reporting units partition the period's total, which indicator_progress publishes: a lone
-- suppressed cell would be the total minus the published ones. Cells without enterprises hold
-- nothing, so they neither count here nor serve as complements.
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
        cells.district_code,
        {{ complement_rank('cells.period', 'cells.revenue_ytd_wan', 'cells.district_code') }} as complement_rank

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
        and cells.district_code = complement_candidates.district_code

),

final as (

    select
        flagged.period,
        flagged.district_code,
        flagged.district_name,
        cast(flagged.enterprise_count as bigint) as enterprise_count,
        flagged.revenue_ytd_wan,
        flagged.revenue_yoy_pct,
        flagged.rd_ytd_wan,
        flagged.rd_intensity_pct,
        cast(flagged.surveyed_count as bigint) as surveyed_count,
        flagged.digitalization_rate_pct,
        flagged.top_revenue_share,
        {{ is_small_cell('flagged.enterprise_count') }} as is_small_cell,
        {{ is_dominated('flagged.top_revenue_share') }} as is_dominated,
        flagged.suppression_reason,
        flagged.suppression_reason is not null as suppressed

    from flagged

)

select * from final
