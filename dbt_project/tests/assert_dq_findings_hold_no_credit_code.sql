{{ config(severity='error', meta={'dagster': {'ref': {'name': 'dq_findings'}}}) }}

-- dq_findings is published to analysts: no text in it may hold a credit code, not even inside a
-- message or a file name. Every varchar column is searched for 18 consecutive characters of the
-- GB 32100-2015 alphabet anywhere in the text. finding_id is an md5 digest (lower-case hex), whose
-- digit runs could look like one by chance: it must be exactly 32 hex characters instead.
-- Returns the offending cells.

{%- set text_columns = [] -%}
{%- if execute -%}
{%- for column in adapter.get_columns_in_relation(ref('dq_findings')) -%}
        {%- if column.is_string() and column.name | lower != 'finding_id' -%}
            {%- do text_columns.append(column.name | lower) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if not text_columns -%}
    {%- set text_columns = [
        'rule_id', 'severity', 'district_code', 'subject', 'expected', 'actual', 'message', 'source_file'
    ] -%}
{%- endif %}

with

findings as (select * from {{ ref('dq_findings') }}),

cells as (

    {% for column_name in text_columns %}
    select
        '{{ column_name }}' as column_name,
        findings.finding_id,
        cast(findings.{{ column_name }} as varchar) as cell

    from findings

    where regexp_matches(findings.{{ column_name }}, '[0-9A-HJ-NPQRTUWXY]{18}')

    union all

    {% endfor %}
    select
        'finding_id' as column_name,
        findings.finding_id,
        findings.finding_id as cell

    from findings

    where not regexp_full_match(findings.finding_id, '[0-9a-f]{32}')

)

select * from cells
