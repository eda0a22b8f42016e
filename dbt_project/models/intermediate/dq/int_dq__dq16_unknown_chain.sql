{#-
    DQ16 identity: a registry 产业链 text that names none of the plan's chains. Checked on the newest
    list (int_registry__latest), above-scale enterprises only (no other counts). The ingest accepts a
    chain's code or Chinese name, with 产业链, 链 or 产业 after it; anything else leaves chain_code NULL,
    and the enterprise counts under its industry class's default chain (warn) or, where its class is
    outside the scope and the tag was its only way in (smart home, metaverse), in no figure (error).
-#}

with

{{ dq_rule('DQ16') }},

plan_chains as (

    -- the chains a tag may name, for the message: the plan's ten, in the plan's order
    select string_agg(chains.chain_name_zh, '、' order by chains.sort_order) as chain_names

    from {{ ref('chains') }} as chains

    where chains.in_plan

),

unknown_tags as (

    select
        latest_registry_rows.district_code,
        latest_registry_rows.chain_raw,
        latest_registry_rows.source_file,
        latest_registry_rows.source_row,
        {{ enterprise_label(
            'latest_registry_rows.enterprise_name', 'latest_registry_rows.source_file', 'latest_registry_rows.source_row'
        ) }} as enterprise_label,
        default_chains.chain_name_zh as default_chain_name

    from {{ ref('int_registry__latest') }} as latest_registry_rows

    left join {{ ref('industry_scope') }} as industry_scope
        on latest_registry_rows.industry_code = industry_scope.industry_code

    left join {{ ref('chains') }} as default_chains
        on industry_scope.default_chain = default_chains.chain_code

    where
        latest_registry_rows.is_above_scale
        and latest_registry_rows.chain_code is null
        and nullif(trim(latest_registry_rows.chain_raw), '') is not null

),

findings as (

    select
        rule.rule_id,
        case when unknown_tags.default_chain_name is null then 'error' else 'warn' end as severity,
        unknown_tags.district_code,
        cast(null as date) as period,
        unknown_tags.enterprise_label || ' 产业链（企业名录）' as subject,
        '产业链代码或名称' as expected,
        -- the text is shown as received; a credit code typed into the wrong column is masked
        '“' || {{ mask_credit_codes('trim(unknown_tags.chain_raw)') }} || '”' as actual,
        -- an enterprise the registry places in no district is the city's, as in DQ15
        {{ district_name_zh('unknown_tags.district_code', unknown='全市') }}
        || '企业名录中企业“' || unknown_tags.enterprise_label || '”的产业链填写为“'
        || {{ mask_credit_codes('trim(unknown_tags.chain_raw)') }}
        || '”，不是规划的产业链之一：'
        || coalesce(
            '该企业按其行业的默认产业链“' || unknown_tags.default_chain_name || '”计入',
            '该企业的行业不在产业集群范围内，只能凭产业链标注计入，现不计入任何指标'
        )
        || '。请在企业名录中更正，填写' || plan_chains.chain_names
        || '之一的名称或代码，可带“产业链”“链”或“产业”（如 智能终端产业链）。'
        || {{ source_text('unknown_tags.source_file', 'unknown_tags.source_row') }} as message,
        unknown_tags.source_file,
        unknown_tags.source_row

    from unknown_tags

    cross join rule

    cross join plan_chains

),

{{ dq_findings_final() }}
