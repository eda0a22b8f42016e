{#-
    DQ14 within-table: a period later than the as-of month (var('as_of_period'), by default the
    month of the run) or before January of the plan's baseline year. Checked on every ingested
    line with a period: district submissions (one finding per line), enterprise filings (one per
    file, period and district, with the number of lines, naming the enterprise of a single line) and
    the bureau's table (one per file and period, city-wide).
-#}

with

{{ dq_rule('DQ14') }},

out_of_window_lines as (

    select
        '区县月报' as source_kind,
        submissions.district_code,
        submissions.period,
        submissions.source_file,
        submissions.source_row,
        1 as line_count,
        cast(null as varchar) as enterprise_name

    from {{ ref('stg_raw__district_submissions') }} as submissions

    cross join {{ ref('int_period_window') }} as period_window

    where submissions.period not between period_window.first_period and period_window.last_period

    union all

    select
        '企业月报' as source_kind,
        enterprise_filings.district_code,
        filings.period,
        filings.source_file,
        min(filings.source_row) as source_row,
        count(*) as line_count,
        -- a single line is one enterprise's: the officer is told which
        case when count(*) = 1 then min(enterprise_filings.enterprise_name) end as enterprise_name

    from {{ ref('stg_raw__filings') }} as filings

    inner join {{ ref('int_enterprise_filings') }} as enterprise_filings
        on filings.uscc = enterprise_filings.uscc
            and filings.period = enterprise_filings.period

    cross join {{ ref('int_period_window') }} as period_window

    where filings.period not between period_window.first_period and period_window.last_period

    group by
        enterprise_filings.district_code,
        filings.period,
        filings.source_file

    union all

    select
        '统计局月报' as source_kind,
        cast(null as varchar) as district_code,
        bureau.period,
        bureau.source_file,
        min(bureau.source_row) as source_row,
        count(*) as line_count,
        cast(null as varchar) as enterprise_name

    from {{ ref('stg_raw__bureau') }} as bureau

    cross join {{ ref('int_period_window') }} as period_window

    where bureau.period not between period_window.first_period and period_window.last_period

    group by
        bureau.period,
        bureau.source_file

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        out_of_window_lines.district_code,
        out_of_window_lines.period,
        out_of_window_lines.source_kind || ' 报告期' as subject,
        {{ period_label_zh('period_window.first_period') }} || '至' || {{ period_label_zh('period_window.last_period') }}
            as expected,
        {{ period_label_zh('out_of_window_lines.period') }} as actual,
        case
            when out_of_window_lines.source_kind = '统计局月报' then '全市'
            else {{ district_name_zh('out_of_window_lines.district_code') }}
        end
        || coalesce('企业“' || out_of_window_lines.enterprise_name || '”月报', out_of_window_lines.source_kind)
        || '的报告期为' || {{ period_label_zh('out_of_window_lines.period') }}
        || case
            when out_of_window_lines.period > period_window.last_period
                then '，晚于当前月份（' || {{ period_label_zh('period_window.last_period') }} || '）'
            else '，早于规划基期（' || cast({{ period_year('period_window.first_period') }} as varchar) || '年）'
        end
        || '，应在' || {{ period_label_zh('period_window.first_period') }} || '至'
        || {{ period_label_zh('period_window.last_period') }} || '之间'
        || case
            when out_of_window_lines.line_count > 1
                then '（本文件共 ' || cast(out_of_window_lines.line_count as varchar) || ' 行）'
            else ''
        end
        || '。请核对报告期的年份和月份，更正后重新报送。'
        || {{ source_text('out_of_window_lines.source_file', 'out_of_window_lines.source_row') }} as message,
        out_of_window_lines.source_file,
        out_of_window_lines.source_row

    from out_of_window_lines

    cross join {{ ref('int_period_window') }} as period_window

    cross join rule

),

{{ dq_findings_final() }}
