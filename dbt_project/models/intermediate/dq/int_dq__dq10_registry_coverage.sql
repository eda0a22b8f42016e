{#-
    DQ10 coverage, both ways between the registry and the filings:
    - a filing (the line that counts for a credit code and period) whose enterprise the registry
      in force for the period's year does not list: it is counted nowhere;
    - an enterprise that registry has in scope with no filing line for a period present in the
      filings (periods outside the plausible window are DQ14's, not a coverage gap). When the
      enterprise has a line dated outside the window in a file that reports the period (2062-07 in
      the file of 2026-07), that line is most likely the missing filing with its period mistyped:
      the finding says so and points at that line, so that the feedback workbook shows it under
      the DQ14 finding of the same line (the catalogue's explains).
    An unregistered filing and an in-scope enterprise without a filing of the same name, district and
    period (int_mistyped_codes) are most often one enterprise whose code was mistyped on its filing:
    both findings say so and point at the filing line, and neither asks to add the enterprise to
    the registry or to chase a filing that came in.
-#}

with

{{ dq_rule('DQ10') }},

periods as (

    select distinct filings.period

    from {{ ref('stg_raw__filings') }} as filings

    cross join {{ ref('int_period_window') }} as period_window

    where filings.period between period_window.first_period and period_window.last_period

),

unregistered_filings as (

    select
        enterprise_filings.district_code,
        enterprise_filings.period,
        {{ enterprise_label('enterprise_filings.enterprise_name', 'enterprise_filings.source_file', 'enterprise_filings.source_row') }}
            as enterprise_label,
        enterprise_filings.source_file,
        enterprise_filings.source_row

    from {{ ref('int_enterprise_filings') }} as enterprise_filings

    where not enterprise_filings.is_registered

),

missing_filings as (

    -- the enterprises the registry in force for the period's year has in scope
    select
        enterprises.uscc,
        enterprises.district_code,
        periods.period,
        {{ enterprise_label('enterprises.enterprise_name', 'enterprises.source_file', 'enterprises.source_row') }}
            as enterprise_label,
        mistyped_periods.typed_period,
        coalesce(mistyped_periods.source_file, enterprises.source_file) as source_file,
        coalesce(mistyped_periods.source_row, enterprises.source_row) as source_row

    from {{ ref('int_enterprises_in_scope') }} as enterprises

    inner join periods
        on enterprises.scope_year = {{ period_year('periods.period') }}

    {{ join_mistyped_line('enterprise', 'enterprises.uscc', 'periods.period') }}

    anti join {{ ref('stg_raw__filings') }} as filings
        on enterprises.uscc = filings.uscc
            and periods.period = filings.period

),

namesakes as (

    select
        mistyped_codes.registered_uscc as uscc,
        mistyped_codes.period,
        mistyped_codes.registry_file,
        mistyped_codes.registry_row,
        mistyped_codes.source_file,
        mistyped_codes.source_row

    from {{ ref('int_mistyped_codes') }} as mistyped_codes

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        unregistered_filings.district_code,
        unregistered_filings.period,
        unregistered_filings.enterprise_label || ' 企业名录' as subject,
        '名录有此企业' as expected,
        '名录无此企业' as actual,
        {{ district_name_zh('unregistered_filings.district_code') }}
        || {{ period_label_zh('unregistered_filings.period') }}
        || '收到企业“' || unregistered_filings.enterprise_label
        || case
            when namesakes.source_file is not null
                then '”的月报，其统一社会信用代码不在企业名录中，但名录中有同名企业（'
                    || namesakes.registry_file || ' 第 ' || cast(namesakes.registry_row as varchar)
                    || ' 行）本期没有月报：很可能是同一家企业、月报的代码填错，其数据因此未计入合计。'
                    || '请对照营业执照核对该行的统一社会信用代码并更正月报（不必补充企业名录）。'
            else '”的月报，但企业名录中没有这家企业，其数据未计入任何区县。'
                || '请核实该企业：应纳入统计的，请补充到企业名录；不应纳入的，请通知企业撤回月报。'
        end
        || {{ source_text('unregistered_filings.source_file', 'unregistered_filings.source_row') }} as message,
        unregistered_filings.source_file,
        unregistered_filings.source_row

    from unregistered_filings

    cross join rule

    left join namesakes
        on unregistered_filings.source_file = namesakes.source_file
            and unregistered_filings.source_row = namesakes.source_row

    union all

    select
        rule.rule_id,
        rule.severity,
        missing_filings.district_code,
        missing_filings.period,
        missing_filings.enterprise_label || ' 企业月报' as subject,
        '1' as expected,
        '0' as actual,
        {{ district_name_zh('missing_filings.district_code') }}
        || {{ period_label_zh('missing_filings.period') }}
        || '企业名录内的规上电子信息企业“' || missing_filings.enterprise_label
        || case
            when missing_filings.typed_period is not null
                then '”没有本期月报，但本期文件中有该企业报告期为'
                    || {{ period_label_zh('missing_filings.typed_period') }}
                    || '的月报（见 DQ14 问题），很可能就是本期月报、报告期填错。请核对该行的报告期并更正。'
                    || {{ source_text('missing_filings.source_file', 'missing_filings.source_row') }}
            when namesakes.source_file is not null
                then '”没有本期月报，但本期收到同名企业的月报，其统一社会信用代码不在企业名录中（见该行的另一条 DQ10 问题），'
                    || '很可能就是该企业的月报、代码填错。请核对该行的统一社会信用代码并更正。'
                    || {{ source_text('namesakes.source_file', 'namesakes.source_row') }}
            else '”未报送月报：应报送 1 份，实际收到 0 份。请督促企业补报；企业已停产、迁出或不再符合统计范围的，请更正企业名录。'
                || '（名录' || {{ source_text('missing_filings.source_file', 'missing_filings.source_row') }} || '）'
        end as message,
        coalesce(namesakes.source_file, missing_filings.source_file) as source_file,
        coalesce(namesakes.source_row, missing_filings.source_row) as source_row

    from missing_filings

    cross join rule

    left join namesakes
        on missing_filings.uscc = namesakes.uscc
            and missing_filings.period = namesakes.period
            and missing_filings.typed_period is null

),

{{ dq_findings_final() }}
