{#-
    "The latest row wins": when a raw table holds several rows for one key (an enterprise and month
    filed twice, a registry listing an enterprise in two files), the row ingested last counts (the
    files of one run are stamped in the order they are taken, a correction after what it corrects:
    orchestration/ingest/files.py, arrival_key), then the row in the later file, then the later row. Written once here;
    every model that keeps one row per key ranks with it and keeps rank 1.

    latest_row_rank('filings', ['uscc', 'period']) →
        row_number() over (partition by filings.uscc, filings.period
                           order by filings.ingested_at desc, filings.source_file desc, filings.source_row desc)
-#}
{% macro latest_row_rank(relation, partition_by) -%}
    row_number() over (
        partition by
            {%- for column in partition_by %}
            {{ relation }}.{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        order by
            {{ relation }}.ingested_at desc,
            {{ relation }}.source_file desc,
            {{ relation }}.source_row desc
    )
{%- endmacro %}
