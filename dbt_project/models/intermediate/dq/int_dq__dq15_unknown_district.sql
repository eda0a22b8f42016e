{#-
    DQ15 identity: a district (区县) text that matches no reporting unit. Checked on the registry
    (the newest list, int_registry__latest: an empty 区县 is unknown too), on the filings' optional 区县
    column (when filled in) and on the district submissions. The ingest accepts a unit's code, its
    full name and its name without suffix (reporting_units.short_name); anything else leaves
    district_code NULL, and the line belongs to no district. An unplaced enterprise's figures stay
    in the city and chain totals (they are real), which the test district_monthly_partitions_city_total allows for.
-#}

with

{{ dq_rule('DQ15') }},

unmatched as (

    select
        'registry' as source_kind,
        cast(null as varchar) as district_code,
        cast(null as date) as period,
        latest_registry_rows.enterprise_name,
        latest_registry_rows.district_raw,
        latest_registry_rows.source_file,
        latest_registry_rows.source_row

    from {{ ref('int_registry__latest') }} as latest_registry_rows

    where latest_registry_rows.district_code is null

    union all

    -- the filing's 区县 is optional (figures count where the registry puts the enterprise):
    -- only a text that was filled in and matched nothing is a finding
    select
        'filings' as source_kind,
        latest_registry_rows.district_code,
        filings.period,
        coalesce(
            nullif(trim(latest_registry_rows.enterprise_name), ''),
            nullif(trim(filings.enterprise_name), '')
        ) as enterprise_name,
        filings.filing_district_raw as district_raw,
        filings.source_file,
        filings.source_row

    from {{ ref('stg_raw__filings') }} as filings

    left join {{ ref('int_registry__latest') }} as latest_registry_rows
        on filings.uscc = latest_registry_rows.uscc

    where
        filings.filing_district_code is null
        and nullif(trim(filings.filing_district_raw), '') is not null

    union all

    select
        'districts' as source_kind,
        cast(null as varchar) as district_code,
        submissions.period,
        cast(null as varchar) as enterprise_name,
        submissions.district_raw,
        submissions.source_file,
        submissions.source_row

    from {{ ref('stg_raw__district_submissions') }} as submissions

    where submissions.district_code is null

),

described as (

    select
        unmatched.*,
        -- the text is shown as received; a credit code typed into the wrong column is masked
        coalesce(
            '“' || {{ mask_credit_codes("nullif(trim(unmatched.district_raw), '')") }} || '”',
            '（空）'
        ) as district_text,
        {{ enterprise_label('unmatched.enterprise_name', 'unmatched.source_file', 'unmatched.source_row') }}
            as enterprise_label

    from unmatched

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        described.district_code,
        described.period,
        case described.source_kind
            when 'registry' then described.enterprise_label || ' 区县（企业名录）'
            when 'filings' then described.enterprise_label || ' 区县（企业月报）'
            else '区县月报 区县'
        end as subject,
        '区县代码、全称或简称' as expected,
        described.district_text as actual,
        {{ district_name_zh('described.district_code', unknown='全市') }}
        || coalesce({{ period_label_zh('described.period') }}, '')
        || case described.source_kind
            when 'registry'
                then '企业名录中企业“' || described.enterprise_label || '”的区县填写为'
                    || described.district_text
                    || '，无法识别为重庆市的区县或功能区：该企业的数据计入全市和产业链合计，但不计入任何区县。'
                    || '请在企业名录中更正'
            when 'filings'
                then '企业“' || described.enterprise_label || '”月报的区县填写为'
                    || described.district_text || '，无法识别为重庆市的区县或功能区'
                    || case
                        when described.district_code is not null
                            then '（数据按企业名录所在区县' || {{ district_name_zh('described.district_code') }} || '计入）。'
                        else '。'
                    end
                    || '请通知企业更正'
            else '区县月报的区县填写为' || described.district_text
                || '，无法识别为重庆市的区县或功能区：该行报送数据不能归入任何区县，也无法与企业月报核对。'
                || '请更正报表'
        end
        || '，填写区县代码（如 500101）、全称（如 万州区）或不带“区”“县”的简称（如 万州），'
        || '功能区同样填写代码、全称或简称（如 5001A1、两江新区 或 两江）。'
        || {{ source_text('described.source_file', 'described.source_row') }} as message,
        described.source_file,
        described.source_row

    from described

    cross join rule

),

{{ dq_findings_final() }}
