with

survey_years as (

    select
        enterprise_surveys.survey_year,
        count(*) as surveyed_count,
        sum(case when enterprise_surveys.is_fully_digital then 1 else 0 end) as fully_digital_count,
        cast(sum(case when enterprise_surveys.is_fully_digital then 1 else 0 end) as double)
        / count(*) * 100 as digitalization_rate_pct

    from {{ ref('int_enterprise_surveys') }} as enterprise_surveys

    group by enterprise_surveys.survey_year

)

select * from survey_years
