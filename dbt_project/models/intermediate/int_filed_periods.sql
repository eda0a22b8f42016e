{#-
    The months whose enterprise filings are in: DQ01 expects a district submission for each, and a
    cross-table rule (DQ02, DQ03, DQ12) compares a district's or the bureau's figure for a month only
    once there are filings to compare it with.
-#}

with

filed_periods as (

    select distinct enterprise_months.period

    from {{ ref('int_enterprise_months') }} as enterprise_months

)

select * from filed_periods
