with

rules as (select * from {{ ref('dq_rule_catalogue') }}),

final as (

    select
        {{- contract_columns('rules', computed={
            'threshold': threshold_prose('rules.threshold'),
            'threshold_zh': threshold_prose('rules.threshold_zh'),
            'explains': "coalesce(rules.explains, '')",
        }) }}

    from rules

)

select * from final
