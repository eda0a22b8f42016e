with

latest_surveys as (

    -- one survey per enterprise and year: the latest line counts
    select surveys.*

    from {{ ref('stg_raw__surveys') }} as surveys

    {{ qualify_latest_row('surveys', ['uscc', 'survey_year']) }}

),

enterprise_surveys as (

    select
        latest_surveys.uscc,
        latest_surveys.survey_year,
        enterprises.district_code,
        enterprises.chain_code,
        -- an unanswered process (NULL) is not a digitalized one
        coalesce(
            latest_surveys.is_design_digital
            and latest_surveys.is_production_digital
            and latest_surveys.is_management_digital
            and latest_surveys.is_sales_digital,
            false
        ) as is_fully_digital,
        latest_surveys.source_file,
        latest_surveys.source_row

    from latest_surveys

    -- the survey of year Y counts the enterprises the registry in force for Y has in scope
    inner join {{ ref('int_enterprises_in_scope') }} as enterprises
        on latest_surveys.uscc = enterprises.uscc
            and latest_surveys.survey_year = enterprises.scope_year

    -- a line with no answer at all is an enterprise that did not respond: not surveyed, so not in
    -- the rate's denominator (a partly answered form is surveyed, its blanks not digitalized)
    where
        not (
            latest_surveys.is_design_digital is null
            and latest_surveys.is_production_digital is null
            and latest_surveys.is_management_digital is null
            and latest_surveys.is_sales_digital is null
        )

)

select * from enterprise_surveys
