{#-
    The district submission that counts for a reporting unit and period. A district may send a
    period again (a corrected file, or a line repeated in a file): the latest line counts, as in
    int_enterprise_months for enterprise filings.
-#}

with

submissions as (select * from {{ ref('stg_raw__district_submissions') }}),

ranked_submissions as (

    select
        submissions.*,
        {{ latest_row_rank('submissions', ['district_code', 'period']) }} as submission_rank

    from submissions

    -- a line whose district text matched no reporting unit cannot be attributed to one
    where submissions.district_code is not null

),

final as (

    select
        ranked_submissions.district_code,
        ranked_submissions.period,
        ranked_submissions.enterprise_count,
        ranked_submissions.revenue_ytd_wan,
        ranked_submissions.rd_ytd_wan,
        ranked_submissions.source_file,
        ranked_submissions.source_row

    from ranked_submissions

    where ranked_submissions.submission_rank = 1

)

select * from final
