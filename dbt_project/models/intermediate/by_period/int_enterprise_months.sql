{{ config(pre_hook="{{ delete_enterprise_months_taken_away() }}") }}

{#-
    Incremental by period: a run rebuilds only the periods that have raw filing rows newer than
    the last build, and the periods of every year whose registry vintage received rows since
    (int_registry_vintages: a registry of 2024 rebuilds 2024 on, never 2022). unique_key is
    `period`, not (uscc, period), on purpose: delete+insert then replaces a rebuilt period whole,
    so an enterprise whose filing was superseded away or that left the scope does not linger.
    A table built before registries had vintages lacks registry_vintage: append_new_columns adds
    it and every period is rebuilt once (its rows counted every year with the latest registry).
-#}

{%- set rebuild_all = false -%}
{%- if execute and is_incremental() -%}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- set rebuild_all = 'registry_vintage' not in existing -%}
{%- endif %}

with

filings as (select * from {{ ref('stg_raw__filings') }}),

latest_filings as (select * from {{ ref('int_filings__latest') }}),

registry as (select * from {{ ref('stg_raw__registry') }}),

enterprises as (select * from {{ ref('int_enterprises_in_scope') }}),

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

-- read only by an incremental build
registry_vintages as (  -- noqa: ST03

    select * from {{ ref('int_registry_vintages') }}

),

period_window as (select * from {{ ref('int_period_window') }}),

source_high_water_mark as (

    -- the newest raw row or ledger change (a file withdrawn or superseded) this build has seen,
    -- kept on every row it writes as loaded_at
    select max(raw_rows.ingested_at) as loaded_at

    from (
        select filings.ingested_at from filings
        union all
        select registry.ingested_at from registry
        union all
        select ledger.status_changed_at from ledger
        where ledger.kind in ('filings', 'registry')
    ) as raw_rows

),

{% if is_incremental() %}

previous_build as (

    -- an empty table (every row taken away) has no high-water mark: rebuild everything
    select coalesce(max(loaded_at), cast('1900-01-01' as timestamp)) as loaded_at from {{ this }}

),

changed_years as (

    -- a vintage that received rows can move enterprises between districts and chains, or in and
    -- out of scope, in the years it is in force: a new vintage takes over from the one before
    select registry_vintages.scope_year

    from registry_vintages

    where registry_vintages.registry_vintage in (
        select registry.registry_vintage
        from registry
        where registry.ingested_at > (select previous_build.loaded_at from previous_build)
    )

),

files_taken_away as (

    -- files whose rows left raw since the last build (withdrawn from raw/, or replaced by a
    -- corrected file): no newer row marks the periods they covered, the ledger does
    select
        ledger.kind,
        ledger.periods

    from ledger

    where
        ledger.kind in ('filings', 'registry')
        and ledger.status in ('withdrawn', 'superseded')
        and ledger.status_changed_at > (select previous_build.loaded_at from previous_build)

),

periods_taken_away as (

    select distinct cast(unnest(string_split(files_taken_away.periods, ',')) || '-01' as date) as period

    from files_taken_away

    where files_taken_away.kind = 'filings'

),

periods_to_build as (

    select distinct filings.period

    from filings

    where
        {% if rebuild_all %}true or{% endif %}
        -- a registry file taken away can change which vintage is in force in any year
        exists (select 1 from files_taken_away where files_taken_away.kind = 'registry')
        or filings.period in (select periods_taken_away.period from periods_taken_away) or
        filings.ingested_at > (select previous_build.loaded_at from previous_build)
        or {{ period_year('filings.period') }} in (select changed_years.scope_year from changed_years)

),

{% endif %}

filings_to_build as (

    -- the filing line that counts for each enterprise and period (int_filings__latest)
    select latest_filings.*

    from latest_filings

    {% if is_incremental() %}
    inner join periods_to_build
        on latest_filings.period = periods_to_build.period
    {% endif %}

    where latest_filings.period between
        (select period_window.first_period from period_window)
        and (select period_window.last_period from period_window)

),

enterprise_months as (

    select
        filings_to_build.uscc,
        filings_to_build.period,
        enterprises.district_code,
        enterprises.chain_code,
        enterprises.division,
        enterprises.registry_vintage,
        filings_to_build.revenue_ytd_wan,
        filings_to_build.rd_ytd_wan,
        filings_to_build.source_file,
        filings_to_build.source_row,
        source_high_water_mark.loaded_at

    from filings_to_build

    -- the enterprise as the registry in force for the period's year lists it
    inner join enterprises
        on filings_to_build.uscc = enterprises.uscc
            and {{ period_year('filings_to_build.period') }} = enterprises.scope_year

    cross join source_high_water_mark

)

select * from enterprise_months
