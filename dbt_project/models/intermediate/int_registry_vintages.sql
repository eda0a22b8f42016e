{#-
    Which registry counts for which year. A registry is a list as of a year (its vintage): the
    figures of year Y use the latest vintage not after Y, and the years before the earliest vintage
    use the earliest one, so a single registry applies to every year and a newer one never rewrites
    the years before it.
-#}

with

vintages as (

    select distinct registry.registry_vintage from {{ ref('stg_raw__registry') }} as registry

),

year_offsets as (

    -- 0, 1, 2, …: the bound only has to exceed the years from the baseline to the as-of year
    select series.generated_number - 1 as year_offset

    from ({{ dbt.generate_series(100) }}) as series

),

scope_years as (

    select {{ period_year('period_window.first_period') }} + year_offsets.year_offset as scope_year

    from {{ ref('int_period_window') }} as period_window

    cross join year_offsets

    where
        {{ period_year('period_window.first_period') }} + year_offsets.year_offset
        <= {{ period_year('period_window.last_period') }}

),

vintages_in_force as (

    select
        scope_years.scope_year,
        coalesce(
            max(case when vintages.registry_vintage <= scope_years.scope_year then vintages.registry_vintage end),
            min(vintages.registry_vintage)
        ) as registry_vintage

    from scope_years

    cross join vintages

    group by scope_years.scope_year

)

select * from vintages_in_force
