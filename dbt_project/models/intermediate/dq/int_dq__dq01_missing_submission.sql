{#-
    DQ01 completeness: every active reporting unit submitted for every period of the filings. When
    a district file of the period holds the unit's line dated outside the months tracked (2062-07 in
    the table of 2026-07, int_mistyped_periods), that line is most likely the submission with its
    period mistyped: the finding says so and points at it, so that the feedback workbook shows it
    under the DQ14 finding of the same line.
-#}

with

{{ dq_rule('DQ01') }},

active_units as (

    -- a reporting unit is active in a period when the registry in force for the period's year
    -- puts in-scope enterprises in it
    select distinct
        enterprises.district_code,
        filed_periods.period

    from {{ ref('int_enterprises_in_scope') }} as enterprises

    inner join {{ ref('int_filed_periods') }} as filed_periods
        on enterprises.scope_year = {{ period_year('filed_periods.period') }}

    where enterprises.district_code is not null

),

missing_submissions as (

    select
        active_units.district_code,
        active_units.period,
        mistyped_periods.typed_period,
        mistyped_periods.source_file,
        mistyped_periods.source_row

    from active_units

    {{ join_mistyped_line('district', 'active_units.district_code', 'active_units.period') }}

    anti join {{ ref('stg_raw__district_submissions') }} as submissions
        on active_units.district_code = submissions.district_code
            and active_units.period = submissions.period

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
        || case
            when missing_submissions.typed_period is not null
                then '区县月报没有本期的行，但本期报送的文件中有该区县报告期为'
                    || {{ period_label_zh('missing_submissions.typed_period') }}
                    || '的一行（见 DQ14 问题），很可能就是本期月报、报告期填错。请更正该行的报告期后重新报送。'
                    || {{ source_text('missing_submissions.source_file', 'missing_submissions.source_row') }}
            -- why the unit owes a table, in place of a source file it does not have
            else '区县月报未报送：企业名录中该区县有统计范围内的企业，应报送 1 份，实际收到 0 份。请尽快补报。'
        end as message,
        missing_submissions.source_file,
        missing_submissions.source_row

    from missing_submissions

    cross join rule

),

{{ dq_findings_final(per_line=false) }}
