with

chain_cells as (select * from {{ ref('int_chain_cells') }}),

-- the cells are computed and flagged in int_chain_cells; here the suppressed ones lose their values
final as (

    select
        chain_cells.period,
        chain_cells.chain_code,
        chain_cells.chain_name_zh,
        chain_cells.tier,
        chain_cells.enterprise_count,
        cast({{ disclose(wan_to_yi('chain_cells.revenue_ytd_wan'), 'chain_cells.suppressed') }} as double)
            as revenue_ytd_yi,
        cast({{ disclose('chain_cells.revenue_yoy_pct', 'chain_cells.suppressed') }} as double)
            as revenue_yoy_pct,
        cast({{ disclose(wan_to_yi('chain_cells.rd_ytd_wan'), 'chain_cells.suppressed') }} as double)
            as rd_ytd_yi,
        cast({{ disclose('chain_cells.rd_intensity_pct', 'chain_cells.suppressed') }} as double)
            as rd_intensity_pct,
        {{ disclosed_survey_rate('chain_cells') }} as digitalization_rate_pct,
        chain_cells.suppressed,
        chain_cells.suppression_reason,
        -- a count, not a value: shown in a suppressed cell as enterprise_count is
        chain_cells.rd_missing_enterprises

    from chain_cells

)

select * from final
