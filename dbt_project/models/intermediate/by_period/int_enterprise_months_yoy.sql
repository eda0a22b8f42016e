{{ config(post_hook="{{ delete_periods_gone_from(ref('int_enterprise_months')) }}") }}

{#-
    Incremental by period: a run rebuilds the periods that int_enterprise_months rebuilt since the
    last build (their rows carry a newer loaded_at) and the same months of the next year, whose
    prior-year values they are; a period int_enterprise_months lost (every filing of it
    withdrawn) is deleted by the post-hook and its next-year month rebuilt.
-#}

{%- set rebuild_all = incremental_rebuild_all() %}

with

enterprise_months as (select * from {{ ref('int_enterprise_months') }}),

enterprise_filings as (select * from {{ ref('int_enterprise_filings') }}),

ledger as (select * from {{ source('raw', 'ingest_ledger') }}),

input_high_water_mark as (

    -- the newest input: int_enterprise_months' mark, or a filing or registry file taken away since
    -- (a month whose every filing was withdrawn changes the next year's prior values, and writes
    -- no row to int_enterprise_months that would carry a newer mark)
    select
        greatest(
            coalesce((select max(enterprise_months.loaded_at) from enterprise_months), {{ earliest_loaded_at() }}),
            coalesce(
                (
                    select max(ledger.status_changed_at)
                    from ledger
                    where ledger.kind in ('filings', 'registry') and ledger.status in ('withdrawn', 'superseded')
                ),
                {{ earliest_loaded_at() }}
            )
        ) as loaded_at

),

{% if is_incremental() %}

changed_periods as (

    select distinct enterprise_months.period

    from enterprise_months

    where enterprise_months.loaded_at > {{ previous_loaded_at(rebuild_all) }}

    union

    -- a month int_enterprise_months no longer has: its next year loses its prior values
    select distinct previous.period

    from {{ this }} as previous

    where previous.period not in (select distinct enterprise_months.period from enterprise_months)

),

periods_to_build as (

    select changed_periods.period from changed_periods

    union

    select {{ same_period_next_year('changed_periods.period') }} as period from changed_periods

),

{% endif %}

current_months as (

    select enterprise_months.*

    from enterprise_months

    {% if is_incremental() %}
    where enterprise_months.period in (select periods_to_build.period from periods_to_build)
    {% endif %}

),

prior_year_months as (

    -- the enterprise's own filing a year earlier, in scope then or not: growth compares with the
    -- previous year restated to this year's enterprises (上年同期按本年口径), so an enterprise that
    -- has just reached designated size brings its last year's figures into the base
    select
        enterprise_filings.uscc,
        enterprise_filings.period,
        enterprise_filings.revenue_ytd_wan,
        enterprise_filings.rd_ytd_wan

    from enterprise_filings

    {% if is_incremental() %}
    where enterprise_filings.period in (
        select {{ same_period_last_year('periods_to_build.period') }} from periods_to_build
    )
    {% endif %}

),

joined as (

    select
        current_months.uscc,
        current_months.period,
        current_months.district_code,
        current_months.chain_code,
        current_months.division,
        current_months.revenue_ytd_wan,
        current_months.rd_ytd_wan,
        prior_year_months.revenue_ytd_wan as prior_revenue_ytd_wan,
        prior_year_months.rd_ytd_wan as prior_rd_ytd_wan,
        input_high_water_mark.loaded_at

    from current_months

    left join prior_year_months
        on current_months.uscc = prior_year_months.uscc
            and {{ same_period_last_year('current_months.period') }} = prior_year_months.period

    cross join input_high_water_mark

)

select * from joined
