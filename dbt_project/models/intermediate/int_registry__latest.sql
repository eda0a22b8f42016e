{{ config(materialized='view') }}

{#-
    The registry as it stands now: the newest list (the latest vintage, its files together) and, in
    it, each credit code's latest row. The identity rules (DQ09, DQ15, DQ16) check these rows, so that a
    corrected list clears their finding, whatever order the lists arrived in: a code an older list
    misspelt is in no newer list. Which row counts for a scope year is int_registry_rows_in_force's
    question, not this.
-#}

with

newest_vintage as (

    select max(registry.registry_vintage) as registry_vintage

    from {{ ref('stg_raw__registry') }} as registry

),

latest_rows as (

    select
        registry.uscc,
        registry.district_code,
        registry.enterprise_name,
        registry.district_raw,
        registry.industry_code,
        registry.chain_code,
        registry.chain_raw,
        registry.is_above_scale,
        registry.source_file,
        registry.source_sheet,
        registry.source_row,
        registry.ingested_at

    from {{ ref('stg_raw__registry') }} as registry

    inner join newest_vintage
        on registry.registry_vintage = newest_vintage.registry_vintage

    {{ qualify_latest_row('registry', ['uscc']) }}

)

select * from latest_rows
