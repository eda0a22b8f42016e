{#-
    The provenance every raw row carries (ingest: orchestration/ingest/), typed there: the file
    (path under the input folder), its sheet and 1-based row, the file's SHA-256 and when it was
    ingested.
-#}
{% macro provenance_columns() -%}
    source_file,
        source_sheet,
        source_row,
        file_sha256,
        ingested_at
{%- endmacro %}
