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
        {{ count_missing('enterprise_months.rd_ytd_wan') }} as rd_missing_enterprises,
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
        cast(coalesce(district_aggregates.enterprise_count, 0) as bigint) as enterprise_count,
        district_aggregates.revenue_ytd_wan,
        district_aggregates.revenue_yoy_pct,
        district_aggregates.rd_ytd_wan,
        district_aggregates.rd_intensity_pct,
        cast(coalesce(district_aggregates.rd_missing_enterprises, 0) as bigint) as rd_missing_enterprises,
        cast(coalesce(district_surveys.surveyed_count, 0) as bigint) as surveyed_count,
        district_surveys.digitalization_rate_pct,
        district_aggregates.top_revenue_share

    from district_periods

    left join district_aggregates
        on district_periods.period = district_aggregates.period
        and district_periods.district_code = district_aggregates.district_code

    left join district_surveys
        on district_periods.district_code = district_surveys.district_code
        and {{ period_year('district_periods.period') }} = district_surveys.survey_year

),

-- flagged: the cells with their disclosure flags (primary and secondary suppression)
{{ suppression_flags('district_code') }}

select * from flagged
