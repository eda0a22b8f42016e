{#- DQ01 completeness: every active reporting unit submitted for every period of the filings. -#}

with

enterprises as (select * from {{ ref('int_enterprises_in_scope') }}),

submissions as (select * from {{ ref('stg_raw__district_submissions') }}),

filed_periods as (select * from {{ ref('int_filed_periods') }}),

{{ dq_rule('DQ01') }},

active_units as (

    -- a reporting unit is active in a period when the registry in force for the period's year
    -- puts in-scope enterprises in it
    select distinct
        enterprises.district_code,
        filed_periods.period

    from enterprises

    inner join filed_periods
        on enterprises.scope_year = {{ period_year('filed_periods.period') }}

    where enterprises.district_code is not null

),

missing_submissions as (

    select
        active_units.district_code,
        active_units.period

    from active_units

    where not exists (
            select 1
            from submissions
            where
                submissions.district_code = active_units.district_code
                and submissions.period = active_units.period
        )

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        missing_submissions.district_code,
        missing_submissions.period,
        '区县月报' as subject,
        '1' as expected,
        '0' as actual,
        {{ district_name_zh('missing_submissions.district_code') }}
        || {{ period_label_zh('missing_submissions.period') }}
        -- why the unit owes a table, in place of a source file it does not have
        || '区县月报未报送：企业名录中该区县有统计范围内的企业，应报送 1 份，实际收到 0 份。请尽快补报。' as message,
        cast(null as varchar) as source_file,
        cast(null as integer) as source_row

    from missing_submissions

    cross join rule

),

{{ dq_findings_final(per_line=false) }}
