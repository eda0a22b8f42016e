with

rules as (select * from {{ ref('dq_rule_catalogue') }}),

final as (

    select
        cast(rules.rule_id as varchar) as rule_id,
        cast(rules.title as varchar) as title,
        cast(rules.severity as varchar) as severity,
        cast(rules.checks as varchar) as checks,
        {{ threshold_prose('rules.threshold') }} as threshold,
        cast(rules.kind as varchar) as kind,
        cast(rules.threshold_warn as double) as threshold_warn,
        cast(rules.threshold_error as double) as threshold_error,
        cast(rules.checks_zh as varchar) as checks_zh,
        {{ threshold_prose('rules.threshold_zh') }} as threshold_zh,
        cast(coalesce(rules.explains, '') as varchar) as explains,
        cast(rules.shows_amounts as boolean) as shows_amounts

    from rules

)

select * from final
