{#-
    The grain test: no two rows share the same values of the given columns.
    (dbt_utils.unique_combination_of_columns is not available offline.)
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
