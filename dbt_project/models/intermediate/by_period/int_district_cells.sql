{{ config(post_hook="{{ delete_periods_gone_from(ref('int_enterprise_months_yoy')) }}") }}

{#- One cell per period and reporting unit, before disclosure control: macro unit_cells, shared with int_chain_cells. -#}

{{ unit_cells('reporting_units', 'district_code', ['district_name']) }}
