{#-
    DQ09 identity: a credit code is 18 characters of the GB 32100-2015 alphabet and its check
    character is right. Checked on the registry (the newest list, int_registry__latest) and on the
    filing line that counts for each code and period. The code itself never reaches the finding:
    the enterprise is named, and what is wrong is described (length, characters, check character).
-#}

with

{{ dq_rule('DQ09') }},

codes as (

    select
        'registry' as source_kind,
        latest_registry_rows.uscc,
        latest_registry_rows.district_code,
        cast(null as date) as period,
        latest_registry_rows.enterprise_name,
        latest_registry_rows.source_file,
        latest_registry_rows.source_row

    from {{ ref('int_registry__latest') }} as latest_registry_rows

    union all

    select
        'filings' as source_kind,
        enterprise_filings.uscc,
        enterprise_filings.district_code,
        enterprise_filings.period,
        enterprise_filings.enterprise_name,
        enterprise_filings.source_file,
        enterprise_filings.source_row

    from {{ ref('int_enterprise_filings') }} as enterprise_filings

),

shaped as (

    select
        codes.*,
        {{ dbt.length('codes.uscc') }} as code_length,
        case
            when {{ dbt.length('codes.uscc') }} = 18 then {{ uscc_has_only_alphabet('codes.uscc') }}
        end as has_only_alphabet

    from codes

),

checked as (

    select
        shaped.*,
        case
            when shaped.has_only_alphabet then {{ uscc_check_char('shaped.uscc') }}
        end as expected_check_char,
        substring(shaped.uscc, 18, 1) as found_check_char

    from shaped

),

invalid as (

    select
        checked.*,
        case
            when checked.uscc is null then '18 位代码'
            when checked.code_length <> 18 then '18 位'
            when not checked.has_only_alphabet then '0-9 A-H J-N P-R T U W-Y'
            -- not the character the first 17 give: copied in, it makes a code of no enterprise
            else '与营业执照一致的代码'
        end as expected,
        case
            when checked.uscc is null then '未填'
            when checked.code_length <> 18 then cast(checked.code_length as varchar) || ' 位'
            when not checked.has_only_alphabet then '含其他字符'
            else '校验码 ' || checked.found_check_char || ' 与前 17 位不符'
        end as actual,
        case
            when checked.uscc is null then '未填写'
            when checked.code_length <> 18
                then '长度为 ' || cast(checked.code_length as varchar) || ' 位，应为 18 位'
            when not checked.has_only_alphabet
                then '含有代码字符集以外的字符（只用数字和大写字母，不用 I、O、Z、S、V）'
            -- a wrong check character most often means a wrong character before it (two digits
            -- swapped): the character the first 17 give is no correction to copy in
            else '校验码为 ' || checked.found_check_char || '，与前 17 位不符（按前 17 位计算应为 '
                || checked.expected_check_char || '）：代码中有字符填错，不一定是校验码本身，请勿只改校验码'
        end as problem_zh

    from checked

    where
        checked.uscc is null
        or checked.code_length <> 18
        or not checked.has_only_alphabet
        or checked.found_check_char <> checked.expected_check_char

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        invalid.district_code,
        invalid.period,
        {{ enterprise_label('invalid.enterprise_name', 'invalid.source_file', 'invalid.source_row') }}
        || case when invalid.source_kind = 'registry' then ' 统一社会信用代码（企业名录）' else ' 统一社会信用代码（企业月报）' end
            as subject,
        invalid.expected,
        invalid.actual,
        {{ district_name_zh('invalid.district_code') }}
        || case
            when invalid.source_kind = 'registry' then '企业名录中'
            else {{ period_label_zh('invalid.period') }} || '企业月报中'
        end
        || '企业“' || {{ enterprise_label('invalid.enterprise_name', 'invalid.source_file', 'invalid.source_row') }}
        || '”的统一社会信用代码' || invalid.problem_zh || '（GB 32100-2015）。'
        || '请对照营业执照核对该企业的统一社会信用代码，并更正'
        || case when invalid.source_kind = 'registry' then '企业名录' else '企业月报' end || '。'
        || {{ source_text('invalid.source_file', 'invalid.source_row') }} as message,
        invalid.source_file,
        invalid.source_row

    from invalid

    cross join rule

),

{{ dq_findings_final() }}
