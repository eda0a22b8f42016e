{#-
    DQ04 history: a year-to-date value never falls from one month to the next within a year.
    Checked on district submissions and on in-scope enterprise filings, for revenue and R&D; each
    value is compared with the previous month of the same year that has one (February is the
    first month: the bureau's year starts with 1-2月). When DQ06 found that previous line to be a
    unit mix-up (about 10^k times what it should be), this month is compared with that line divided
    by 10^k: a right month after a wrong one is no fall, and the wrong one is DQ06's finding. Both
    measures are corrected, as a unit line applies to the whole table. When the month after (same
    year) is below the previous month too, the previous month is the more likely fault (a figure too
    large, not two falls): the message says so and asks for that month to be checked first, citing
    its line.
-#}

with

{{ dq_rule('DQ04') }},

{%- set measures = [
    ('revenue_ytd_wan', '营业收入本年累计'),
    ('rd_ytd_wan', '研发费用本年累计'),
] %}

series as (

    -- one row per reporter, measure and period that has a value
    {% for column, measure_zh in measures %}
    select
        figures.reporter_kind,
        figures.reporter_key,
        figures.district_code,
        figures.enterprise_name,
        '{{ measure_zh }}' as measure_zh,
        figures.period,
        figures.{{ column }} as value_wan,
        figures.source_file,
        figures.source_row

    from {{ ref('int_reported_figures') }} as figures

    where figures.{{ column }} is not null
    {% if not loop.last %}

    union all

    {% endif %}
    {% endfor %}

),

with_previous as (

    select
        series.*,
        lag(series.period) over previous_month as previous_period,
        lag(series.value_wan) over previous_month as previous_value_wan,
        lag(series.source_file) over previous_month as previous_source_file,
        lag(series.source_row) over previous_month as previous_source_row,
        lag(series.value_wan, 2) over previous_month as before_previous_value_wan,
        lead(series.period) over previous_month as next_period,
        lead(series.value_wan) over previous_month as next_value_wan

    from series

    -- the previous month of the same year that has a value, for the same reporter and measure
    window previous_month as (
        partition by
            series.reporter_kind,
            series.reporter_key,
            series.measure_zh,
            {{ period_year('series.period') }}
        order by series.period
    )

),

with_correction as (

    -- the previous line's DQ06 finding, if any: its value read in the unit it should have had
    select
        with_previous.*,
        unit_mixups.unit_power as previous_unit_power,
        case
            when unit_mixups.unit_power is not null
                then cast(with_previous.previous_value_wan as double) / power(10, unit_mixups.unit_power)
            else cast(with_previous.previous_value_wan as double)
        end as compared_value_wan

    from with_previous

    left join {{ ref('int_dq__dq06_unit_mixup') }} as unit_mixups
        on with_previous.previous_source_file = unit_mixups.source_file
            and with_previous.previous_source_row = unit_mixups.source_row
            and with_previous.previous_period = unit_mixups.period

),

decreases as (

    select
        with_correction.*,
        (with_correction.compared_value_wan - cast(with_correction.value_wan as double))
        / with_correction.compared_value_wan as relative_drop,
        -- the previous month stands out, not this one: the month after falls from it too (beyond the
        -- rule's tolerance) and this month is not below the month before it (a figure too large
        -- between two that agree, not a fall that stays)
        coalesce(
            with_correction.previous_unit_power is null
            and cast(with_correction.next_value_wan as double)
            < with_correction.compared_value_wan * (1 - rule.threshold_error)
            and with_correction.value_wan >= with_correction.before_previous_value_wan,
            false
        ) as previous_stands_out

    from with_correction

    cross join rule

    where with_correction.compared_value_wan > 0

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        decreases.district_code,
        decreases.period,
        case
            when decreases.reporter_kind = 'district' then '区县月报 ' || decreases.measure_zh
            else {{ enterprise_label('decreases.enterprise_name', 'decreases.source_file', 'decreases.source_row') }}
                || ' ' || decreases.measure_zh
        end as subject,
        '≥ ' || {{ amount_text('decreases.compared_value_wan') }} as expected,  -- not below the month before
        {{ amount_text('decreases.value_wan') }} as actual,
        {{ district_name_zh('decreases.district_code') }}
        || {{ period_label_zh('decreases.period') }}
        || case
            when decreases.reporter_kind = 'district' then '区县报送的'
            else '企业“'
                || {{ enterprise_label('decreases.enterprise_name', 'decreases.source_file', 'decreases.source_row') }}
                || '”月报的'
        end
        || decreases.measure_zh || '为 ' || {{ money_text('decreases.value_wan') }}
        || '，比上期（' || {{ period_label_zh('decreases.previous_period') }} || '）的 '
        || case
            when decreases.previous_unit_power is not null
                then {{ money_text('decreases.previous_value_wan') }}
                    || '（上期疑似计量单位错误，见 DQ06 问题，已按 '
                    || {{ power_factor_zh('-decreases.previous_unit_power') }}
                    || ' 折算为 ' || {{ money_text('decreases.compared_value_wan') }} || '）'
            else {{ money_text('decreases.previous_value_wan') }}
        end
        || '下降 ' || {{ pct_text('decreases.relative_drop') }}
        || '；本年累计值应不低于上期（允许误差 ' || {{ pct_text('rule.threshold_error') }} || '）。'
        || case
            when decreases.previous_stands_out
                then '下期（' || {{ period_label_zh('decreases.next_period') }} || '）为 '
                    || {{ money_text('decreases.next_value_wan') }} || '，也低于上期：更可能是上期数据偏大。'
                    || case when decreases.reporter_kind = 'district' then '请' else '请联系企业' end
                    || '先核对上期数据（' || {{ period_label_zh('decreases.previous_period') }} || '，'
                    || decreases.previous_source_file || ' 第 ' || cast(decreases.previous_source_row as varchar)
                    || ' 行），再核对本期并更正。'
            when decreases.reporter_kind = 'district' then '请核对本期和上期数据并更正。'
            else '请联系企业核对本期和上期数据并更正。'
        end
        || {{ source_text('decreases.source_file', 'decreases.source_row') }} as message,
        decreases.source_file,
        decreases.source_row,
        -- the message prints the month after too when it says the previous month stands out
        case
            when decreases.previous_stands_out then [decreases.previous_period, decreases.next_period]
            else [decreases.previous_period]
        end as compared_periods

    from decreases

    cross join rule

    where decreases.relative_drop > rule.threshold_error

),

{{ dq_findings_final(compares_periods=true) }}
