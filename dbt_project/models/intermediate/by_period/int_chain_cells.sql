{{ config(post_hook="{{ delete_periods_gone_from(ref('int_enterprise_months_yoy')) }}") }}

{#- One cell per period and chain, before disclosure control: macro unit_cells, shared with int_district_cells. -#}

{{ unit_cells('chains', 'chain_code', ['chain_name_zh', 'tier']) }}
