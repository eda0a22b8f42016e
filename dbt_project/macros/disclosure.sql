{#-
    Disclosure control (CONTRACT §4): a cell that describes fewer enterprises than
    var('min_cell_enterprises') is published without its values.
-#}
{% macro is_suppressed(enterprise_count) -%}
    (coalesce({{ enterprise_count }}, 0) < {{ var('min_cell_enterprises') }})
{%- endmacro %}


{% macro disclose(value, enterprise_count) -%}
    case when not {{ is_suppressed(enterprise_count) }} then {{ value }} end
{%- endmacro %}
