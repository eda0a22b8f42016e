{#- Text for data-quality messages read by district officers. -#}

{#- 2024年6月 -#}
{% macro period_label_zh(period) -%}
    {{ dbt.concat([
        "cast(" ~ period_year(period) ~ " as varchar)",
        "'年'",
        "cast(" ~ period_month(period) ~ " as varchar)",
        "'月'"
    ]) }}
{%- endmacro %}


{#-
    Numbers in finding texts are written for people, with thousands separators: "1,234,567.50".
    A separator also keeps any value from showing as a run of 18 digits, which the publish guard
    would take for a credit code (a revenue of 1e20 万元 is a finding, not an identity). DuckDB's
    format() (fmt syntax) is the one engine-specific call; it lives in these macros only.
-#}

{#- A number as text with a fixed number of decimals and thousands separators (presentation only). -#}
{% macro number_text(value, scale=2) -%}
    format('{:,.{{ scale }}f}', cast(round(cast({{ value }} as double), {{ scale }}) as double))
{%- endmacro %}


{#- A count as text with thousands separators: "12,345". -#}
{% macro count_text(value) -%}
    format('{:,}', cast({{ value }} as hugeint))
{%- endmacro %}


{#-
    An amount in 万元 exactly as stored (up to 6 decimals, trailing zeros dropped) with thousands
    separators, for the expected/actual columns: "1,050,000", "5.2". Beyond 1e30 (no real figure)
    it is rounded to a whole number.
-#}
{% macro amount_text(value) -%}
    case
        when {{ value }} is null then null
        when abs(cast({{ value }} as double)) >= 1e30
            then format('{:,.0f}', cast({{ value }} as double))
        else
            case when cast({{ value }} as double) < 0 then '-' else '' end
            || format('{:,}', cast(trunc(abs(cast({{ value }} as decimal(38, 6)))) as hugeint))
            || coalesce(
                '.' || nullif(rtrim(split_part(cast(abs(cast({{ value }} as decimal(38, 6))) as varchar), '.', 2), '0'), ''),
                ''
            )
    end
{%- endmacro %}


{#-
    A rule's threshold in words, from the catalogue's template and its numbers, so that the prose
    follows the thresholds: {warn} and {error} become the rule's threshold_warn and threshold_error
    as percentages ("1%", "0.5%"), {max_amount} the var dq_max_amount_wan in 万元.
-#}
{% macro threshold_prose(template, rules='rules') -%}
    cast(
        replace(
            replace(
                replace({{ template }}, '{warn}', {{ share_pct_text(rules ~ '.threshold_warn') }}),
                '{error}', {{ share_pct_text(rules ~ '.threshold_error') }}
            ),
            '{max_amount}', {{ count_text(var('dq_max_amount_wan')) }} || ' 万元'
        ) as varchar
    )
{%- endmacro %}


{#- A fraction as a percentage with the decimals it needs: 0.01 → "1%", 0.005 → "0.5%"; NULL → "". -#}
{% macro share_pct_text(value) -%}
    coalesce(
        rtrim(rtrim(format('{:.4f}', cast({{ value }} as double) * 100), '0'), '.') || '%',
        ''
    )
{%- endmacro %}
