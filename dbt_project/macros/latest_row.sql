{#-
    "The latest row wins": when a raw table holds several rows for one key (an enterprise and month
    filed twice, a registry listing an enterprise in two files), the row ingested last counts (the
    files of one run are stamped in the order they are taken, a correction after what it corrects:
    orchestration/ingest/files.py, arrival_key), then the row in the later file, then the later row. Written once here;
    every model that keeps one row per key ends its select with it.

    qualify_latest_row('filings', ['uscc', 'period']) →
        qualify row_number() over (partition by filings.uscc, filings.period
                                   order by filings.ingested_at desc, filings.source_file desc, filings.source_row desc) = 1

    QUALIFY filters after the window, as a `where rank = 1` over a ranked CTE did, and after the
    select's own WHERE: the rows a WHERE leaves out take no part in the ranking.
-#}
{% macro qualify_latest_row(relation, partition_by) -%}
    qualify row_number() over (
        partition by
            {%- for column in partition_by %}
            {{ relation }}.{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        order by
            {{ relation }}.ingested_at desc,
            {{ relation }}.source_file desc,
            {{ relation }}.source_row desc
    ) = 1
{%- endmacro %}
