{#- Arithmetic of progress against a plan (docs/indicators.md). -#}

{#-
    Where the plan puts an indicator in `year`: the constant-growth path for a flow, the straight
    path for a ratio (docs/indicators.md). indicator_progress and indicator_outlook both publish it.
-#}
{% macro plan_trajectory(indicator_kind, baseline_value, target_value, year, baseline_year, target_year) -%}
    case
        when {{ indicator_kind }} = 'flow'
            then {{ flow_trajectory(baseline_value, target_value, year, baseline_year, target_year) }}
        else {{ ratio_trajectory(baseline_value, target_value, year, baseline_year, target_year) }}
    end
{%- endmacro %}


{#-
    Constant-growth path of a flow indicator from the baseline to the target. In the target year the
    path is the target itself: b × (t / b) ^ 1 can come out a hair above it (200.00000000000003), and an
    actual of exactly the target would read behind a path it meets.
-#}
{% macro flow_trajectory(baseline_value, target_value, year, baseline_year, target_year) -%}
    case
        when {{ baseline_value }} > 0 and {{ target_value }} > 0 and {{ target_year }} > {{ baseline_year }}
            and {{ year }} = {{ target_year }}
            then cast({{ target_value }} as double)
        when {{ baseline_value }} > 0 and {{ target_value }} > 0 and {{ target_year }} > {{ baseline_year }}
            then {{ baseline_value }} * power(
                cast({{ target_value }} as double) / {{ baseline_value }},
                cast({{ year }} - {{ baseline_year }} as double) / ({{ target_year }} - {{ baseline_year }})
            )
    end
{%- endmacro %}


{#- Straight path of a ratio indicator from the baseline to the target (the target in its year, as above). -#}
{% macro ratio_trajectory(baseline_value, target_value, year, baseline_year, target_year) -%}
    case
        when {{ target_year }} > {{ baseline_year }} and {{ year }} = {{ target_year }}
            then cast({{ target_value }} as double)
        when {{ target_year }} > {{ baseline_year }}
            then {{ baseline_value }} + ({{ target_value }} - {{ baseline_value }})
                * cast({{ year }} - {{ baseline_year }} as double) / ({{ target_year }} - {{ baseline_year }})
    end
{%- endmacro %}


{#-
    The yearly step needed from the latest complete annual value to reach the target, in the
    indicator's own terms. A flow (亿元) grows by a percentage: ((target / latest) ^ (1 / years) − 1)
    × 100 % per year, as its trajectory compounds. A ratio is already a percentage: a relative growth
    of it would mean nothing to a reader, so its step is (target − latest) / years, in percentage
    points per year, as its trajectory is a straight line. NULL without a latest value or when the
    latest year is not before the target year.
-#}
{% macro required_growth_pct(indicator_kind, target_value, latest_annual_value, latest_year, target_year) -%}
    case
        when {{ latest_year }} >= {{ target_year }} or {{ latest_annual_value }} is null then null
        when {{ indicator_kind }} = 'ratio'
            then cast({{ target_value }} - {{ latest_annual_value }} as double) / ({{ target_year }} - {{ latest_year }})
        when {{ latest_annual_value }} > 0 and {{ target_value }} > 0
            then (
                power(
                    cast({{ target_value }} as double) / {{ latest_annual_value }},
                    1.0 / ({{ target_year }} - {{ latest_year }})
                ) - 1
            ) * 100
    end
{%- endmacro %}


{#- What required_growth_pct is measured in: pct_per_year (% per year) or pp_per_year (percentage points per year). -#}
{% macro required_growth_unit(indicator_kind) -%}
    case when {{ indicator_kind }} = 'ratio' then 'pp_per_year' else 'pct_per_year' end
{%- endmacro %}


{#- Flows project the year from last year's annual and the like-for-like growth so far. -#}
{% macro projected_annual(period, actual_value, prior_annual_value, yoy_growth_pct) -%}
    case
        when {{ period_month(period) }} = 12 then {{ actual_value }}
        else {{ prior_annual_value }} * (1 + {{ yoy_growth_pct }} / 100)
    end
{%- endmacro %}


{#-
    True when `value` is on the path: at or above it, or strictly above it where `must_exceed` (a
    target worded 突破/超过, in its target year: reaching 10000 亿元 is not breaking through it).
-#}
{% macro meets_path(value, path, must_exceed) -%}
    ({{ value }} > {{ path }} or ({{ value }} = {{ path }} and not {{ must_exceed }}))
{%- endmacro %}


{#- Deterministic id of a data-quality finding. -#}
{% macro finding_id(rule_id, district_code, period, subject) -%}
    {{ dbt.hash(dbt.concat([
        "coalesce(cast(" ~ rule_id ~ " as varchar), '')", "'|'",
        "coalesce(cast(" ~ district_code ~ " as varchar), '')", "'|'",
        "coalesce(cast(" ~ period ~ " as varchar), '')", "'|'",
        "coalesce(cast(" ~ subject ~ " as varchar), '')"
    ])) }}
{%- endmacro %}

{#- A value of a percentage share held inside 0..100; any other value, and NULL, as it is
    (greatest and least skip NULLs, so a missing forecast would become 0 without the guard). -#}
{% macro within_share(value, is_share) -%}
    case when {{ is_share }} and {{ value }} is not null then least(greatest({{ value }}, 0), 100) else {{ value }} end
{%- endmacro %}
