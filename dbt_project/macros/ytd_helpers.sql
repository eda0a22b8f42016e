{#-
    Helpers for year-to-date (本年累计) series whose periods are DATEs on the first day of a month.
    dbt has no cross-database date_part macro; ANSI extract() works on DuckDB, Spark and Trino.
-#}

{% macro period_year(period) -%}
    cast(extract(year from {{ period }}) as integer)
{%- endmacro %}


{% macro period_month(period) -%}
    cast(extract(month from {{ period }}) as integer)
{%- endmacro %}


{% macro same_period_last_year(period) -%}
    cast({{ dbt.dateadd('year', -1, period) }} as date)
{%- endmacro %}


{#- The year whose December value is the latest complete annual as of `period`. -#}
{% macro latest_complete_year(period) -%}
    case
        when {{ period_month(period) }} = 12 then {{ period_year(period) }}
        else {{ period_year(period) }} - 1
    end
{%- endmacro %}


{#-
    The month's own value from a year-to-date series: this month's YTD minus the previous YTD of
    the same entity in the same year (the first report of a year is its own increment).
-#}
{% macro ytd_month_increment(value_column, partition_by, period='period') -%}
    {{ value_column }} - coalesce(
        lag({{ value_column }}) over (
            partition by {{ partition_by }}, {{ period_year(period) }}
            order by {{ period }}
        ),
        0
    )
{%- endmacro %}


{#-
    Like-for-like growth in percent, as bureaus publish it: only the units that reported the value
    in both periods enter either sum. Use inside an aggregation.
-#}
{% macro like_for_like_growth_pct(current_value, prior_value) -%}
    (
        cast(sum(case when {{ current_value }} is not null and {{ prior_value }} is not null then {{ current_value }} end) as double)
        / nullif(cast(sum(case when {{ current_value }} is not null and {{ prior_value }} is not null then {{ prior_value }} end) as double), 0)
        - 1
    ) * 100
{%- endmacro %}


{#- How many units like_for_like_growth_pct compares: those with both values. Use inside an aggregation. -#}
{% macro count_comparable(current_value, prior_value) -%}
    cast(sum(case when {{ current_value }} is not null and {{ prior_value }} is not null then 1 else 0 end) as bigint)
{%- endmacro %}


{#-
    Ratio of two sums in percent over the units that reported both values (a NULL on either side
    leaves the unit out of both sums). Use inside an aggregation.
-#}
{% macro ratio_of_sums_pct(numerator, denominator) -%}
    cast(sum(case when {{ numerator }} is not null and {{ denominator }} is not null then {{ numerator }} end) as double)
    / nullif(cast(sum(case when {{ numerator }} is not null and {{ denominator }} is not null then {{ denominator }} end) as double), 0)
    * 100
{%- endmacro %}


{#-
    Pre-hook of the incremental int_enterprise_months: delete the rows nothing in raw supports any
    more, which delete+insert alone cannot (it replaces only periods that still have rows): every
    period with no filing left (its files withdrawn) and every enterprise-year no longer in scope
    (its registry withdrawn or a newer vintage without it). A no-op on the first or a full build.
-#}
{% macro delete_enterprise_months_taken_away() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where
        period not in (
            select distinct filings.period
            from {{ ref('stg_raw__filings') }} as filings
            where filings.period is not null
        )
        or uscc || '|' || cast({{ period_year('period') }} as varchar) not in (
            select scope.uscc || '|' || cast(scope.scope_year as varchar)
            from {{ ref('int_enterprises_in_scope') }} as scope
        )
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}


{#-
    How many units a ratio_of_sums_pct over `value` leaves out because `value` is missing (NULL),
    so that a published ratio says over how many it was not taken. Use inside an aggregation.
-#}
{% macro count_missing(value) -%}
    cast(sum(case when {{ value }} is null then 1 else 0 end) as bigint)
{%- endmacro %}


{#-
    A CTE body: the share of surveyed enterprises with all four key processes digital, by `by`
    (chain_code or district_code) and survey year, over `surveys` (int_enterprise_surveys).
-#}
{% macro survey_rates(by, surveys='enterprise_surveys') -%}
    select
        {{ surveys }}.{{ by }},
        {{ surveys }}.survey_year,
        count(*) as surveyed_count,
        cast(sum(case when {{ surveys }}.is_fully_digital then 1 else 0 end) as double)
            / count(*) * 100 as digitalization_rate_pct

    from {{ surveys }}

    group by
        {{ surveys }}.{{ by }},
        {{ surveys }}.survey_year
{%- endmacro %}
