{#-
    The district submission that counts for a reporting unit and period. A district may send a
    period again (a corrected file, or a line repeated in a file): the latest line counts, as in
    int_enterprise_months for enterprise filings.
-#}

with

final as (

    select
        submissions.district_code,
        submissions.period,
        submissions.enterprise_count,
        submissions.revenue_ytd_wan,
        submissions.rd_ytd_wan,
        submissions.source_file,
        submissions.source_row

    from {{ ref('stg_raw__district_submissions') }} as submissions

    -- a line whose district text matched no reporting unit cannot be attributed to one
    where submissions.district_code is not null

    {{ qualify_latest_row('submissions', ['district_code', 'period']) }}

)

select * from final
