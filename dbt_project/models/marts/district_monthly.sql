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

findings as (

    select * from {{ ref('dq_findings') }}

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
        {{ ratio_of_sums_pct('enterprise_months.rd_ytd_wan', 'enterprise_months.revenue_ytd_wan') }}
            as rd_intensity_pct

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

district_findings as (

    select
        findings.district_code,
        findings.period,
        sum(case when findings.severity = 'error' then 1 else 0 end) as findings_error,
        sum(case when findings.severity = 'warn' then 1 else 0 end) as findings_warn

    from findings

    -- city-wide findings (DQ12) and those whose district is unknown count in no district
    where findings.district_code is not null

    group by
        findings.district_code,
        findings.period

),

joined as (

    select
        district_periods.period,
        district_periods.district_code,
        district_periods.district_name,
        coalesce(district_aggregates.enterprise_count, 0) as enterprise_count,
        district_aggregates.revenue_ytd_wan,
        district_aggregates.revenue_yoy_pct,
        district_aggregates.rd_intensity_pct,
        -- the survey rate describes the surveyed enterprises: it is disclosed on their own count
        {{ disclose('district_surveys.digitalization_rate_pct', 'district_surveys.surveyed_count') }}
            as digitalization_rate_pct,
        coalesce(district_findings.findings_error, 0) as findings_error,
        coalesce(district_findings.findings_warn, 0) as findings_warn

    from district_periods

    left join district_aggregates
        on district_periods.period = district_aggregates.period
        and district_periods.district_code = district_aggregates.district_code

    left join district_surveys
        on district_periods.district_code = district_surveys.district_code
        and {{ period_year('district_periods.period') }} = district_surveys.survey_year

    left join district_findings
        on district_periods.district_code = district_findings.district_code
        and district_periods.period = district_findings.period

),

final as (

    select
        joined.period,
        joined.district_code,
        joined.district_name,
        cast(joined.enterprise_count as bigint) as enterprise_count,
        cast({{ disclose(wan_to_yi('joined.revenue_ytd_wan'), 'joined.enterprise_count') }} as double)
            as revenue_ytd_yi,
        cast({{ disclose('joined.revenue_yoy_pct', 'joined.enterprise_count') }} as double)
            as revenue_yoy_pct,
        cast({{ disclose('joined.rd_intensity_pct', 'joined.enterprise_count') }} as double)
            as rd_intensity_pct,
        cast({{ disclose('joined.digitalization_rate_pct', 'joined.enterprise_count') }} as double)
            as digitalization_rate_pct,
        cast(joined.findings_error as bigint) as findings_error,
        cast(joined.findings_warn as bigint) as findings_warn,
        {{ is_suppressed('joined.enterprise_count') }} as suppressed

    from joined

)

select * from final
