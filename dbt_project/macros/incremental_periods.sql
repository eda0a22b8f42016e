{#-
    Helpers for the models that are incremental by period downstream of int_enterprise_months
    (int_enterprise_months_yoy, int_chain_cells, int_district_cells). Each keeps a loaded_at column:
    the newest loaded_at of its inputs when it was built. A later run rebuilds the periods whose
    input rows carry a newer loaded_at, so a period that int_enterprise_months rebuilt flows on
    down, and only that period (and what depends on it: the same month of the next year for
    year-on-year values).
-#}


{#-
    True when an incremental run must rebuild every period: the table was built before it had a
    loaded_at column (it was a plain table, or an older version of the model), or before it had one
    of `added_columns` (append_new_columns would leave them NULL in the periods not rebuilt), or it
    holds no disclosure settings equal to `settings` when `settings` is given. Call at execute time.
-#}
{% macro incremental_rebuild_all(settings_column=none, settings=none, added_columns=[]) -%}
    {%- if not (execute and is_incremental()) -%}
        {%- do return(false) -%}
    {%- endif -%}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in ['loaded_at'] + added_columns if column not in existing -%}
        {%- do return(true) -%}
    {%- endfor -%}
    {%- if settings_column is not none -%}
        {%- if settings_column not in existing -%}
            {%- do return(true) -%}
        {%- endif -%}
        {%- set found = run_query(
            'select count(*) from ' ~ this ~ ' where ' ~ settings_column ~ ' is distinct from '
            ~ dbt.string_literal(settings)
        ) -%}
        {%- do return(found.columns[0].values()[0] > 0) -%}
    {%- endif -%}
    {%- do return(false) -%}
{%- endmacro %}


{#-
    The loaded_at of the previous build (a scalar subquery): the oldest possible mark when every
    period must be rebuilt, or the table is empty (everything was taken away).
-#}
{% macro previous_loaded_at(rebuild_all) -%}
    {%- if rebuild_all -%}
        {{ earliest_loaded_at() }}
    {%- else -%}
        (select coalesce(max(previous.loaded_at), {{ earliest_loaded_at() }}) from {{ this }} as previous)
    {%- endif -%}
{%- endmacro %}


{#-
    Post-hook: delete the periods that the model's input no longer has (every filing of the month
    withdrawn). delete+insert replaces only the periods a run writes rows for, so it cannot. A
    no-op on a first or full build.
-#}
{% macro delete_periods_gone_from(relation) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where period not in (
        select distinct upstream.period
        from {{ relation }} as upstream
        where upstream.period is not null
    )
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}


{#- The same month a year later, as DATE: the period whose year-on-year values read `period`. -#}
{% macro same_period_next_year(period) -%}
    cast({{ dbt.dateadd('year', 1, period) }} as date)
{%- endmacro %}


{#- The mark older than any build: every row is newer. -#}
{% macro earliest_loaded_at() -%}
    cast('1900-01-01' as timestamp)
{%- endmacro %}


{#-
    The newest survey input (a scalar expression): survey rows ingested, survey files taken away
    (withdrawn or superseded). `surveys` and `ledger` name the model's CTEs over stg_raw__surveys
    and raw.ingest_ledger.
-#}
{% macro surveys_loaded_at(surveys='surveys', ledger='ledger') -%}
    greatest(
        coalesce((select max({{ surveys }}.ingested_at) from {{ surveys }}), {{ earliest_loaded_at() }}),
        coalesce(
            (
                select max({{ ledger }}.status_changed_at)
                from {{ ledger }}
                where {{ ledger }}.kind = 'surveys' and {{ ledger }}.status in ('withdrawn', 'superseded')
            ),
            {{ earliest_loaded_at() }}
        )
    )
{%- endmacro %}


{#-
    The survey years whose survey changed after `mark`: rows ingested since, or a file whose rows
    left raw since (withdrawn or superseded; the ledger's periods of a survey file are its years).
-#}
{% macro survey_years_changed_since(mark, surveys='surveys', ledger='ledger') -%}
    select {{ surveys }}.survey_year

    from {{ surveys }}

    where {{ surveys }}.ingested_at > {{ mark }}

    union

    -- try_cast, not dbt.safe_cast: dbt-duckdb's safe_cast is a plain cast, and a ledger entry
    -- that names no year must not fail the build
    select try_cast(unnest(string_split({{ ledger }}.periods, ',')) as integer) as survey_year

    from {{ ledger }}

    where
        {{ ledger }}.kind = 'surveys'
        and {{ ledger }}.status in ('withdrawn', 'superseded')
        and {{ ledger }}.status_changed_at > {{ mark }}
{%- endmacro %}


{#-
    The periods an incremental cell model rebuilds (a query): those whose rows in `months` (a CTE
    over int_enterprise_months_yoy) are newer than `mark`, and with `changed_years` (a CTE of
    survey_year) every period of those years.
-#}
{% macro periods_to_rebuild(months, mark, changed_years=none) -%}
    select distinct changed.period

    from {{ months }} as changed

    where
        changed.loaded_at > {{ mark }}
        {%- if changed_years is not none %}
        or {{ period_year('changed.period') }} in (select {{ changed_years }}.survey_year from {{ changed_years }})
        {%- endif %}
{%- endmacro %}


{#-
    CTEs input_high_water_mark and enterprise_months (with changed_survey_years before it when
    `with_surveys`), to follow a model's import CTEs: all_enterprise_months over
    int_enterprise_months_yoy and, with surveys, surveys and ledger over stg_raw__surveys and
    raw.ingest_ledger. enterprise_months holds the periods to build: all of them, or on an
    incremental run those rebuilt upstream since the last build (and those of a year whose survey
    changed); input_high_water_mark the loaded_at the rows written get.
-#}
{% macro enterprise_months_to_build(rebuild_all, with_surveys=false) -%}
input_high_water_mark as (

    select
        greatest(
            coalesce(
                (select max(all_enterprise_months.loaded_at) from all_enterprise_months),
                {{ earliest_loaded_at() }}
            ),
            {{ surveys_loaded_at() if with_surveys else earliest_loaded_at() }}
        ) as loaded_at

),

{% if is_incremental() and with_surveys -%}
changed_survey_years as (

    {{ survey_years_changed_since(previous_loaded_at(rebuild_all)) }}

),

{% endif -%}
enterprise_months as (

    select all_enterprise_months.*

    from all_enterprise_months

    {% if is_incremental() -%}
    where all_enterprise_months.period in (
        {{ periods_to_rebuild(
            'all_enterprise_months',
            previous_loaded_at(rebuild_all),
            'changed_survey_years' if with_surveys else none
        ) }}
    )
    {%- endif %}

)
{%- endmacro %}
