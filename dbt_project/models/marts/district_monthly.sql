with

district_cells as (select * from {{ ref('int_district_cells') }}),

findings as (select * from {{ ref('dq_findings') }}),

district_findings as (

    select
        findings.district_code,
        findings.filed_period as period,
        sum(case when findings.severity = 'error' then 1 else 0 end) as findings_error,
        sum(case when findings.severity = 'warn' then 1 else 0 end) as findings_warn

    from findings

    -- city-wide findings (DQ12) and those whose district is unknown count in no district
    where findings.district_code is not null

    group by
        findings.district_code,
        findings.filed_period

),

final as (

    select
        district_cells.period,
        district_cells.district_code,
        district_cells.district_name,
        district_cells.enterprise_count,
        {{ disclosed_values('district_cells') }},
        -- findings are about the unit's submissions, not enterprise values: never suppressed
        cast(coalesce(district_findings.findings_error, 0) as bigint) as findings_error,
        cast(coalesce(district_findings.findings_warn, 0) as bigint) as findings_warn,
        district_cells.suppressed,
        district_cells.suppression_reason,
        -- a count, not a value: shown in a suppressed cell as enterprise_count is
        district_cells.rd_missing_enterprises,
        district_cells.enterprise_count - district_cells.revenue_enterprises as revenue_missing_enterprises,
        district_cells.nonfiling_enterprises,
        {{ disclosure_thresholds() }}

    from district_cells

    left join district_findings
        on district_cells.district_code = district_findings.district_code
            and district_cells.period = district_findings.period

)

select * from final
