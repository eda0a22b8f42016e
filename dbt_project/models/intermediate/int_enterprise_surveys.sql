with

surveys as (select * from {{ ref('stg_raw__surveys') }}),

enterprises as (select * from {{ ref('int_enterprises_in_scope') }}),

ranked_surveys as (

    -- one survey per enterprise and year: the latest line counts
    select
        surveys.*,
        {{ latest_row_rank('surveys', ['uscc', 'survey_year']) }} as survey_rank

    from surveys

),

enterprise_surveys as (

    select
        ranked_surveys.uscc,
        ranked_surveys.survey_year,
        enterprises.district_code,
        enterprises.chain_code,
        -- an unanswered process (NULL) is not a digitalized one
        coalesce(
            ranked_surveys.is_design_digital
            and ranked_surveys.is_production_digital
            and ranked_surveys.is_management_digital
            and ranked_surveys.is_sales_digital,
            false
        ) as is_fully_digital,
        ranked_surveys.source_file,
        ranked_surveys.source_row

    from ranked_surveys

    -- the survey of year Y counts the enterprises the registry in force for Y has in scope
    inner join enterprises
        on ranked_surveys.uscc = enterprises.uscc
            and ranked_surveys.survey_year = enterprises.scope_year

    where
        ranked_surveys.survey_rank = 1
        -- a line with no answer at all is an enterprise that did not respond: not surveyed, so not in
        -- the rate's denominator (a partly answered form is surveyed, its blanks not digitalized)
        and not (
            ranked_surveys.is_design_digital is null
            and ranked_surveys.is_production_digital is null
            and ranked_surveys.is_management_digital is null
            and ranked_surveys.is_sales_digital is null
        )

)

select * from enterprise_surveys
