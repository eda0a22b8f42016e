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
        {{ disclosed_values('chain_cells') }},
        chain_cells.suppressed,
        chain_cells.suppression_reason,
        -- a count, not a value: shown in a suppressed cell as enterprise_count is
        chain_cells.rd_missing_enterprises,
        chain_cells.enterprise_count - chain_cells.revenue_enterprises as revenue_missing_enterprises,
        chain_cells.nonfiling_enterprises,
        {{ disclosure_thresholds() }}

    from chain_cells

)

select * from final
