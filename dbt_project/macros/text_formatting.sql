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


{#- A number as text with a fixed number of decimals (presentation only). -#}
{% macro number_text(value, scale=2) -%}
    cast(cast(round(cast({{ value }} as double), {{ scale }}) as decimal(38, {{ scale }})) as varchar)
{%- endmacro %}
