with

rules as (

    select * from {{ ref('dq_rule_catalogue') }}

),

final as (

    select
        cast(rules.rule_id as varchar) as rule_id,
        cast(rules.title as varchar) as title,
        cast(rules.severity as varchar) as severity,
        cast(rules.checks as varchar) as checks,
        cast(rules.threshold as varchar) as threshold,
        cast(rules.kind as varchar) as kind,
        cast(rules.threshold_warn as double) as threshold_warn,
        cast(rules.threshold_error as double) as threshold_error

    from rules

)

select * from final
