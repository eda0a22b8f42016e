{{ config(materialized='view') }}

{#-
    The registry as it stands now: the newest list (the latest vintage, its files together) and, in
    it, each credit code's latest row. The identity rules (DQ09, DQ15, DQ16) check these rows, so that a
    corrected list clears their finding, whatever order the lists arrived in: a code an older list
    misspelt is in no newer list. Which row counts for a scope year is int_registry_rows_in_force's
    question, not this.
-#}

with

registry as (select * from {{ ref('stg_raw__registry') }}),

newest_vintage as (

    select max(registry.registry_vintage) as registry_vintage

    from registry

),

ranked_rows as (

    select
        registry.*,
        {{ latest_row_rank('registry', ['uscc']) }} as registry_row_rank

    from registry

    inner join newest_vintage
        on registry.registry_vintage = newest_vintage.registry_vintage

),

latest_rows as (

    select
        ranked_rows.uscc,
        ranked_rows.district_code,
        ranked_rows.enterprise_name,
        ranked_rows.district_raw,
        ranked_rows.industry_code,
        ranked_rows.chain_code,
        ranked_rows.chain_raw,
        ranked_rows.is_above_scale,
        ranked_rows.source_file,
        ranked_rows.source_sheet,
        ranked_rows.source_row,
        ranked_rows.ingested_at

    from ranked_rows

    where ranked_rows.registry_row_rank = 1

)

select * from latest_rows
