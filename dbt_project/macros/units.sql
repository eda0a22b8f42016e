{#- Money is stored in 万元 (ten thousand yuan) up to intermediate; marts report 亿元 (hundred million yuan). -#}
{% macro wan_to_yi(column_name) -%}
    (cast({{ column_name }} as double) / 10000)
{%- endmacro %}

