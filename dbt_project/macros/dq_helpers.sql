{#- Building blocks of the data-quality rule models (models/intermediate/dq/). -#}

{#-
    The month the checks are run as of (DATE, first day of the month): var('as_of_period')
    ('YYYY-MM' or 'YYYY-MM-DD'), by default the month the run started in, Beijing time. Tests pin it.
-#}
{% macro dq_as_of_period() -%}
    {%- set value = var('as_of_period', none) -%}
    {%- if value is none -%}
        {%- set started = run_started_at or modules.datetime.datetime.now(modules.pytz.utc) -%}
        {%- set value = started.astimezone(modules.pytz.timezone('Asia/Shanghai')).strftime('%Y-%m-01') -%}
    {%- endif -%}
    {%- set value = value | string | trim -%}
    {%- if value | length == 7 -%}
        {%- set value = value ~ '-01' -%}
    {%- endif -%}
    cast({{ dbt.date_trunc('month', "cast('" ~ value ~ "' as date)") }} as date)
{%- endmacro %}


{#-
    Anything shaped like a credit code inside a text (user-supplied file names, enterprise names) is
    masked: dq_findings is published to analysts and must never hold one.
-#}
{% macro mask_credit_codes(text) -%}
    regexp_replace({{ text }}, '[0-9A-HJ-NPQRTUWXY]{18}', '[代码已隐去]', 'g')
{%- endmacro %}


{#- An amount in 万元 as message text: "1,234.50 万元". -#}
{% macro money_text(value) -%}
    ({{ number_text(value) }} || ' 万元')
{%- endmacro %}


{#- A ratio (0.123) as percent text: "12.30%". -#}
{% macro pct_text(ratio) -%}
    ({{ number_text(ratio ~ ' * 100') }} || '%')
{%- endmacro %}


{#-
    A power of ten as a factor for messages (DQ04, DQ05, DQ06): 4 → "10000 倍", -1 → "1/10". DQ06
    gives the factor a figure is off by; DQ04 and DQ05 the opposite one, by which they read it back.
-#}
{% macro power_factor_zh(power) -%}
    (
        case
            when {{ power }} > 0 then cast(cast(power(10, {{ power }}) as bigint) as varchar) || ' 倍'
            else '1/' || cast(cast(power(10, -({{ power }})) as bigint) as varchar)
        end
    )
{%- endmacro %}


{#- Where a finding came from, for messages: "来源：filings/x.csv 第 7 行。" (never NULL). -#}
{% macro source_text(source_file, source_row) -%}
    (
        '来源：'
        || coalesce({{ source_file }}, '（无来源文件）')
        || coalesce(' 第 ' || cast({{ source_row }} as varchar) || ' 行', '')
        || '。'
    )
{%- endmacro %}


{#- Who an enterprise finding is about, for subjects and messages: its name, else its file row. -#}
{% macro enterprise_label(enterprise_name, source_file, source_row) -%}
    coalesce(
        nullif(trim({{ enterprise_name }}), ''),
        '（未填企业名称）' || coalesce({{ source_file }}, '') || ' 第 ' || coalesce(cast({{ source_row }} as varchar), '?') || ' 行'
    )
{%- endmacro %}


{#-
    GB 32100-2015 unified social credit code. 31 characters valued 0–30 in this order (no I, O, Z,
    S, V); weights 3^(i−1) mod 31 for positions 1–17; check value 31 − (Σ value × weight mod 31),
    31 becoming 0. These are constants of the standard, not thresholds.
-#}
{% macro uscc_alphabet() -%}
    '0123456789ABCDEFGHJKLMNPQRTUWXY'
{%- endmacro %}


{#- Value 0–30 of the character at a 1-based position; −1 when it is not of the alphabet. -#}
{% macro uscc_char_value(code, position) -%}
    ({{ dbt.position("substring(" ~ code ~ ", " ~ position ~ ", 1)", uscc_alphabet()) }} - 1)
{%- endmacro %}


{#- True when all 18 characters are of the alphabet (call only on codes of length 18). -#}
{% macro uscc_has_only_alphabet(code) -%}
    (
        {%- for position in range(1, 19) %}
        {{ uscc_char_value(code, position) }} >= 0{% if not loop.last %} and{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{#- The check character the first 17 characters call for (call only on well-formed codes). -#}
{% macro uscc_check_char(code) -%}
    substring(
        {{ uscc_alphabet() }},
        (
            31 - (
                (
                    {%- for position in range(1, 18) %}
                    {{ uscc_char_value(code, position) }} * {{ (3 ** (position - 1)) % 31 }}{% if not loop.last %} +{% endif %}
                    {%- endfor %}
                ) % 31
            )
        ) % 31 + 1,
        1
    )
{%- endmacro %}


{#-
    A district's name for a finding's message: the reporting unit's name; `unknown` where the code is
    NULL or names no unit: '（区县不明）' for a line that belongs to a district nobody could tell (an
    unregistered enterprise's district text that matched nothing), '全市' where a line that is in no
    district counts in the city's totals (DQ15, DQ16).
-#}
{% macro district_name_zh(district_code, unknown='（区县不明）') -%}
    coalesce(
        (
            select reporting_units.district_name
            from {{ ref('reporting_units') }} as reporting_units
            where reporting_units.district_code = {{ district_code }}
        ),
        '{{ unknown }}'
    )
{%- endmacro %}


{#-
    For a district's cross-table finding (DQ02, DQ03): the filing lines of its enterprises that
    other findings name and that the filings' totals hold wrongly or leave out: in another unit
    (DQ06), dated outside the months tracked (DQ14), under a mistyped code (int_mistyped_codes, DQ10).
    Each kind with a line, joined by '；'; NULL when there is none.
-#}
{% macro left_out_lines_text(mixed_up_count, mistyped_count, unregistered_count) -%}
    nullif(concat_ws(
        '；',
        case
            when {{ mixed_up_count }} > 0
                then cast({{ mixed_up_count }} as varchar) || ' 家企业的月报疑似计量单位错误（见 DQ06 问题）'
        end,
        case
            when {{ mistyped_count }} > 0
                then cast({{ mistyped_count }} as varchar) || ' 家企业的本期月报报告期疑似填错（见 DQ14 问题），未计入合计'
        end,
        case
            when {{ unregistered_count }} > 0
                then cast({{ unregistered_count }} as varchar)
                    || ' 家企业月报的统一社会信用代码疑似填错（不在企业名录中，名录中有同名企业本期无月报，见 DQ10 问题），未计入合计'
        end
    ), '')
{%- endmacro %}


{#- |a − b| / |b|: how far a figure is from the one it is checked against; NULL when b is 0. -#}
{% macro relative_gap(value, against) -%}
    case
        when {{ against }} <> 0
            then abs(cast({{ value }} - {{ against }} as double)) / abs(cast({{ against }} as double))
    end
{%- endmacro %}


{#-
    Left join of a reporter's line that a file of the period dates outside the months tracked
    (int_mistyped_periods): the first such line of the reporter in the file, most likely the line
    that is missing from the period. Its columns come as mistyped_periods.*.
-#}
{% macro join_mistyped_line(reporter_kind, reporter_key, period) -%}
    left join {{ ref('int_mistyped_periods') }} as mistyped_periods
        on mistyped_periods.reporter_kind = '{{ reporter_kind }}'
            and {{ reporter_key }} = mistyped_periods.reporter_key
            and {{ period }} = mistyped_periods.file_period
            and mistyped_periods.line_rank = 1
{%- endmacro %}
