{#-
    The select list of a contracted model's last CTE: every column its YAML declares, in the YAML's
    order, cast to the declared data_type. The contract is then the one place a column's type is
    written. `computed` maps a column to the SQL expression that gives it where that is not
    `relation`'s own column of the same name. dbt renders a unit test's model without the model's
    columns, so a model with unit tests keeps its select list written out.
-#}
{% macro contract_columns(relation, computed={}) -%}
    {%- set columns = model.columns.values() | list -%}
    {%- if execute and not columns -%}
        {{ exceptions.raise_compiler_error(
            "contract_columns: " ~ model.name ~ " has no columns here (a unit test renders a model "
            ~ "without them): write its select list out"
        ) }}
    {%- endif -%}
    {%- set names = columns | map(attribute='name') | list -%}
    {%- for name in computed if execute and name not in names -%}
        {{ exceptions.raise_compiler_error(
            "contract_columns: " ~ model.name ~ " computes " ~ name ~ ", which its YAML does not declare"
        ) }}
    {%- endfor -%}
    {%- for column in columns %}
        cast({{ computed.get(column.name, relation ~ '.' ~ column.name) }} as {{ column.data_type }}) as {{ column.name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
