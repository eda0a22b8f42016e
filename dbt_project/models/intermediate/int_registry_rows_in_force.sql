{{ config(materialized='view') }}

{#-
    The registry row in force for each scope year and credit code: the vintage in force for the
    year (int_registry_vintages) and, within it, the latest row of the code ("the latest row
    wins", once for int_enterprises_in_scope and int_enterprise_filings).
-#}

with

vintage_rows as (

    -- the files of one vintage together form its list: an enterprise listed by several of them
    -- takes its latest row
    select registry.*

    from {{ ref('stg_raw__registry') }} as registry

    {{ qualify_latest_row('registry', ['registry_vintage', 'uscc']) }}

),

in_force as (

    select
        registry_vintages.scope_year,
        vintage_rows.uscc,
        vintage_rows.district_code,
        vintage_rows.industry_code,
        vintage_rows.chain_code,
        vintage_rows.enterprise_name,
        vintage_rows.district_raw,
        vintage_rows.chain_raw,
        vintage_rows.is_above_scale,
        vintage_rows.registry_year,
        vintage_rows.registry_vintage,
        vintage_rows.source_file,
        vintage_rows.source_sheet,
        vintage_rows.source_row,
        vintage_rows.file_sha256,
        vintage_rows.ingested_at

    from {{ ref('int_registry_vintages') }} as registry_vintages

    inner join vintage_rows
        on registry_vintages.registry_vintage = vintage_rows.registry_vintage

)

select * from in_force
