{#-
    The provenance every raw row carries (ingest: orchestration/ingest/), cast once for staging:
    the file (path under the input folder), its sheet and 1-based row, the file's SHA-256 and
    when it was ingested.
-#}
{% macro provenance_columns() -%}
    source_file,
        source_sheet,
        cast(source_row as integer) as source_row,
        file_sha256,
        cast(ingested_at as timestamp) as ingested_at
{%- endmacro %}
