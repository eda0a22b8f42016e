{{ config(materialized='view') }}

{#-
    The registry as it stands now: for each credit code, its latest row over every registry file and
    vintage. The identity rules (DQ09, DQ15) check this row, so that a corrected list clears their
    finding. Which row counts for a scope year is int_registry_rows_in_force's question, not this.
-#}

with

registry as (select * from {{ ref('stg_raw__registry') }}),

ranked_rows as (

    select
        registry.*,
        {{ latest_row_rank('registry', ['uscc']) }} as registry_row_rank

    from registry

),

latest_rows as (

    select
        ranked_rows.uscc,
        ranked_rows.district_code,
        ranked_rows.enterprise_name,
        ranked_rows.district_raw,
        ranked_rows.source_file,
        ranked_rows.source_sheet,
        ranked_rows.source_row,
        ranked_rows.ingested_at

    from ranked_rows

    where ranked_rows.registry_row_rank = 1

)

select * from latest_rows
