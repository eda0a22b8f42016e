with

december_values as (

    -- a year-to-date series is complete for the year in December
    select
        indicator_values.indicator_code,
        {{ period_year('indicator_values.period') }} as annual_year,
        indicator_values.actual_value as annual_value

    from {{ ref('int_indicator_values') }} as indicator_values

    where
        {{ period_month('indicator_values.period') }} = 12
        and indicator_values.indicator_code <> 'digitalization_rate'

),

survey_values as (

    -- the survey is annual: its year's value stands whether or not December was filed
    select
        'digitalization_rate' as indicator_code,
        survey_years.survey_year as annual_year,
        survey_years.digitalization_rate_pct as annual_value

    from {{ ref('int_survey_years') }} as survey_years

),

unioned as (

    select * from december_values
    union all
    select * from survey_values

),

final as (

    select
        cast(unioned.indicator_code as varchar) as indicator_code,
        cast(unioned.annual_year as integer) as annual_year,
        cast(unioned.annual_value as double) as annual_value

    from unioned

)

select * from final
