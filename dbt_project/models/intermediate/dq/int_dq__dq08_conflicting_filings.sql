{#-
    DQ08 within-table: one filing per enterprise and period. Two or more ingested filing lines of
    one credit code and period with different figures are a conflict; lines repeating the same
    figures are not, nor is a line that a later line from a correction file replaces (a file whose
    name holds a marker of seed file_name_markers with corrects = true: 更正, 重报, …; not 补报). The
    latest line is the one counted (int_enterprise_months).
-#}

with

{{ dq_rule('DQ08') }},

repeated as (

    -- almost every enterprise files once a month: only the few with two lines or more are compared,
    -- so the per-group text aggregate below runs on thousands of groups, not millions (at 200,000
    -- enterprises × 36 months it ran out of a 2 GB memory limit over all of them)
    select
        filings.uscc,
        filings.period

    from {{ ref('stg_raw__filings') }} as filings

    group by
        filings.uscc,
        filings.period

    having count(*) > 1

),

repeated_lines as (

    select filings.*

    from {{ ref('stg_raw__filings') }} as filings

    inner join repeated
        on filings.uscc = repeated.uscc
            and filings.period = repeated.period

),

correction_files as (

    -- the path without its extension, as the ingest reads the markers (files.arrival_key)
    select distinct repeated_lines.source_file

    from repeated_lines

    inner join {{ ref('file_name_markers') }} as markers
        on markers.corrects
            and contains(lower(regexp_replace(repeated_lines.source_file, '\.[^./]*$', '')), markers.marker)

),

versioned_lines as (

    select
        repeated_lines.uscc,
        repeated_lines.period,
        repeated_lines.source_file,
        repeated_lines.source_row,
        repeated_lines.ingested_at,
        repeated_lines.revenue_ytd_wan,
        -- the figures of a line; NULL-safe, so a missing value differs from a zero
        coalesce(cast(repeated_lines.revenue_ytd_wan as varchar), '∅')
        || '|' || coalesce(cast(repeated_lines.rd_ytd_wan as varchar), '∅')
        || '|' || coalesce(cast(repeated_lines.employees as varchar), '∅') as figures_key

    from repeated_lines

    left join correction_files
        on repeated_lines.source_file = correction_files.source_file

    -- a line a later correction replaces is corrected, not in conflict
    qualify
        repeated_lines.ingested_at >= coalesce(
            max(case when correction_files.source_file is not null then repeated_lines.ingested_at end)
                over (partition by repeated_lines.uscc, repeated_lines.period),
            repeated_lines.ingested_at
        )

),

conflicts as (

    select
        versioned_lines.uscc,
        versioned_lines.period,
        count(distinct versioned_lines.figures_key) as version_count,
        string_agg(
            versioned_lines.source_file || ' 第 ' || cast(versioned_lines.source_row as varchar) || ' 行（营业收入 '
            || coalesce({{ money_text('versioned_lines.revenue_ytd_wan') }}, '未填') || '）',
            '；'
            order by versioned_lines.ingested_at, versioned_lines.source_file, versioned_lines.source_row
        ) as lines_zh

    from versioned_lines

    group by
        versioned_lines.uscc,
        versioned_lines.period

    having count(distinct versioned_lines.figures_key) > 1

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        enterprise_filings.district_code,
        conflicts.period,
        {{ enterprise_label('enterprise_filings.enterprise_name', 'enterprise_filings.source_file', 'enterprise_filings.source_row') }}
        || ' 企业月报' as subject,
        '1' as expected,
        {{ count_text('conflicts.version_count') }} as actual,
        {{ district_name_zh('enterprise_filings.district_code') }}
        || {{ period_label_zh('conflicts.period') }}
        || '企业“'
        || {{ enterprise_label('enterprise_filings.enterprise_name', 'enterprise_filings.source_file', 'enterprise_filings.source_row') }}
        || '”应报送 1 份月报，实际收到 ' || {{ count_text('conflicts.version_count') }} || ' 份数据不同的月报：'
        || conflicts.lines_zh
        || '。目前按最后一份（' || enterprise_filings.source_file || ' 第 '
        || cast(enterprise_filings.source_row as varchar) || ' 行）计入。'
        || '请与企业确认正确数据，撤回或更正其余报表。'
        || {{ source_text('enterprise_filings.source_file', 'enterprise_filings.source_row') }} as message,
        enterprise_filings.source_file,
        enterprise_filings.source_row

    from conflicts

    inner join {{ ref('int_enterprise_filings') }} as enterprise_filings
        on conflicts.uscc = enterprise_filings.uscc
            and conflicts.period = enterprise_filings.period

    cross join rule

),

{{ dq_findings_final() }}
