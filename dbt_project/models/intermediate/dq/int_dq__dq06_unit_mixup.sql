{#-
    DQ06 unit: a year-to-date revenue about 10^k times (or 1/10^k of) its own value for the same
    period a year earlier, k in var('dq_unit_powers'), within the rule's threshold_error
    (relative): a 元/千元/万元/亿元 mix-up. A year-earlier value whose run rate jumps by such a power
    from the period before it, or whose next period's does, is suspect itself and no yardstick: the
    right March after a March in 元 is not a 1/10^4 mix-up. Where there is no year-earlier value to
    go by, the period's increment is compared with the previous filed period's of the same year,
    each per month it spans (a December filed after March covers nine months, 1-2月 two). Where neither matches, the
    year-to-date value per month is compared with the previous filed period's (run_rate): a whole
    year-to-date figure typed in 元 in March is 10^4 times February's run rate, while against a year
    earlier it is 10^4 times that year's growth and its increment 10^4 times three months' worth.
    The month after a mix-up, right again, is that many times below it: a run-rate match opposite
    to the previous period's is that return, not a mix-up. A period level with the previous one
    (run rate within the tolerance of it) that matches nothing itself carries the match of the
    period its level run began with: a second month in 元 is level with the first. A run-rate match,
    own or carried, stands only where a year-earlier yardstick, if there is one, grew by the same
    power of ten (rounded, whatever the tolerance): 2024-03 ten times 1-2月's run rate while three
    times 2023-03 is a slow 1-2月 (the Spring Festival), not March in 千元. The return guard
    reads the previous period's carried match; a guard that itself needs a guarded match from an
    earlier run (a mix-up, its return, a level month, then a new mix-up in the same year) reads the
    unguarded one and may miss that new mix-up. Checked on district submissions and on in-scope
    enterprise filings; peers are no yardstick (one assembler can be 1000 times a county's whole
    output), so each series is only compared with itself.
-#}

with

{{ dq_rule('DQ06') }},

series as (

    -- one row per reporter and period with a revenue figure
    select
        figures.reporter_kind,
        figures.reporter_key,
        figures.district_code,
        figures.enterprise_name,
        figures.period,
        figures.revenue_ytd_wan as value_wan,
        figures.source_file,
        figures.source_row

    from {{ ref('int_reported_figures') }} as figures

    where figures.revenue_ytd_wan is not null

),

increments as (

    select
        series.*,
        {{ ytd_month_increment('series.value_wan', 'series.reporter_kind, series.reporter_key', 'series.period') }}
            as increment_wan,
        -- the months the increment covers: since the previous filed period of the year, or January
        month(series.period) - coalesce(
            month(lag(series.period) over (
                partition by series.reporter_kind, series.reporter_key, {{ period_year('series.period') }}
                order by series.period
            )),
            0
        ) as months_spanned

    from series

),

with_previous_increment as (

    select
        increments.*,
        lag(increments.period) over previous_month as previous_period,
        -- where the previous increment starts: it is that period's year to date when NULL
        lag(increments.period, 2) over previous_month as period_before_previous,
        lag(increments.value_wan) over previous_month as previous_value_wan,
        lag(increments.increment_wan) over previous_month as previous_increment_wan,
        lag(increments.months_spanned) over previous_month as previous_months_spanned

    from increments

    window previous_month as (
        partition by
            increments.reporter_kind,
            increments.reporter_key,
            {{ period_year('increments.period') }}
        order by increments.period
    )

),

run_rates as (

    -- the year-to-date value per month against the previous filed period's of the year
    select
        with_previous_increment.*,
        (cast(with_previous_increment.value_wan as double) / month(with_previous_increment.period))
        / nullif(
            cast(with_previous_increment.previous_value_wan as double) / month(with_previous_increment.previous_period),
            0
        ) as run_rate_ratio

    from with_previous_increment

),

levels as (

    -- the power of ten the run rate is close to (a ratio only means something between two positive
    -- figures), and whether it is level with the previous period's
    select
        run_rates.*,
        case
            when run_rates.value_wan > 0 and run_rates.previous_value_wan > 0
                then {{ dq06_matched_power('run_rates.run_rate_ratio', 'rule.threshold_error') }}
        end as run_rate_power,
        coalesce(
            run_rates.value_wan > 0
            and run_rates.previous_value_wan > 0
            and abs(run_rates.run_rate_ratio - 1) <= rule.threshold_error,
            false
        ) as is_level

    from run_rates

    cross join rule

),

islands as (

    -- a period whose run rate is level with the previous one's (ratio within the tolerance of 1)
    -- continues that period's island; any other period starts one. A period typed in the same wrong
    -- unit as the month before is level with it, so it inherits that month's match
    select
        levels.*,
        sum(case when levels.is_level then 0 else 1 end) over (
            partition by levels.reporter_kind, levels.reporter_key, {{ period_year('levels.period') }}
            order by levels.period
            rows between unbounded preceding and current row
        ) as island

    from levels

),

within_year as (

    -- a figure that jumps by a power of ten from the period before it, or to the period after it, is
    -- no yardstick for the same month a year later: against the month in 元, the right figure a year
    -- later is 1/10^4 of it. (The middle months of a run of three or more in the wrong unit jump
    -- neither way and still serve.)
    select
        islands.*,
        coalesce(
            islands.run_rate_power is not null
            or lead(islands.run_rate_power) over (
                partition by islands.reporter_kind, islands.reporter_key, {{ period_year('islands.period') }}
                order by islands.period
            ) is not null,
            false
        ) as stands_out

    from islands

),

compared as (

    -- against the same period a year earlier where that figure is a yardstick, else the increment
    -- per month against the previous filed period's of the year
    select
        within_year.*,
        prior_year.period as prior_period,
        prior_year.value_wan as prior_value_wan,
        case when prior_year.period is not null then 'year_earlier' else 'increment' end as basis,
        case
            when prior_year.period is not null
                then cast(within_year.value_wan as double) / nullif(cast(prior_year.value_wan as double), 0)
            else (cast(within_year.increment_wan as double) / within_year.months_spanned)
                / nullif(
                    cast(within_year.previous_increment_wan as double) / within_year.previous_months_spanned,
                    0
                )
        end as ratio

    from within_year

    left join within_year as prior_year
        on within_year.reporter_kind = prior_year.reporter_kind
            and within_year.reporter_key = prior_year.reporter_key
            and {{ same_period_last_year('within_year.period') }} = prior_year.period
            and not prior_year.stands_out

),

powers as (

    -- the power of ten the primary ratio is close to, negative for a fraction; NULL when none
    select
        compared.*,
        case
            when
                (compared.basis = 'year_earlier' and compared.value_wan > 0 and compared.prior_value_wan > 0)
                or (compared.basis = 'increment' and compared.increment_wan > 0 and compared.previous_increment_wan > 0)
                then {{ dq06_matched_power('compared.ratio', 'rule.threshold_error') }}
        end as primary_power,
        -- the power of ten the year-earlier ratio rounds to: a run-rate match must agree with it
        case
            when compared.basis = 'year_earlier' and compared.value_wan > 0 and compared.prior_value_wan > 0
                then round(log10(compared.ratio))
        end as year_earlier_order

    from compared

    cross join rule

),

carried as (

    -- each period's match before the return guard: its own, else (level, no match of its own)
    -- its island's first period's
    select
        with_own_power.*,
        case
            when with_own_power.is_level and with_own_power.primary_power is null
                then {{ dq06_agreeing('with_own_power', 'first_value(with_own_power.own_power) over island_periods') }}
            else with_own_power.own_power
        end as carried_power

    from (
        select
            powers.*,
            coalesce(powers.primary_power, {{ dq06_agreeing('powers', 'powers.run_rate_power') }}) as own_power

        from powers
    ) as with_own_power

    window island_periods as (
        partition by
            with_own_power.reporter_kind,
            with_own_power.reporter_key,
            {{ period_year('with_own_power.period') }},
            with_own_power.island
        order by with_own_power.period
    )

),

guarded as (

    -- the return after a mix-up is a run-rate match opposite to the previous period's (carried) one
    select
        carried.*,
        case
            when carried.primary_power is not null then carried.primary_power
            when carried.run_rate_power <> -coalesce(carried.previous_power, 0)
                then {{ dq06_agreeing('carried', 'carried.run_rate_power') }}
        end as own_guarded_power

    from (
        select
            carried.*,
            lag(carried.carried_power) over (
                partition by carried.reporter_kind, carried.reporter_key
                order by carried.period
            ) as previous_power

        from carried
    ) as carried

),

matched as (

    select
        guarded.*,
        case
            when guarded.primary_power is not null then guarded.basis
            when guarded.is_level then 'run_rate_level'
            else 'run_rate'
        end as matched_basis,
        case
            when guarded.is_level and guarded.primary_power is null
                then {{ dq06_agreeing('guarded', 'first_value(guarded.own_guarded_power) over island_periods') }}
            else guarded.own_guarded_power
        end as matched_power

    from guarded

    window island_periods as (
        partition by
            guarded.reporter_kind,
            guarded.reporter_key,
            {{ period_year('guarded.period') }},
            guarded.island
        order by guarded.period
    )

),

labelled as (

    select
        matched.*,
        case
            when matched.reporter_kind = 'district' then '区县报送的'
            else '企业“'
                || {{ enterprise_label('matched.enterprise_name', 'matched.source_file', 'matched.source_row') }}
                || '”月报的'
        end as reporter_zh,
        {{ power_factor_zh('matched.matched_power') }} as factor_zh,
        -- what the figure would be in 万元: the whole value scaled back when it stands against a year
        -- earlier or a run rate, only the month's increment when the increment is what jumped
        case
            when matched.matched_basis in ('year_earlier', 'run_rate', 'run_rate_level')
                then cast(matched.value_wan as double) / power(10, matched.matched_power)
            else cast(matched.value_wan - matched.increment_wan as double)
                + cast(matched.increment_wan as double) / power(10, matched.matched_power)
        end as expected_wan

    from matched

    where matched.matched_power is not null

),

findings as (

    select
        rule.rule_id,
        rule.severity,
        labelled.district_code,
        labelled.period,
        case
            when labelled.reporter_kind = 'district' then '区县月报 营业收入本年累计'
            else {{ enterprise_label('labelled.enterprise_name', 'labelled.source_file', 'labelled.source_row') }}
                || ' 营业收入本年累计'
        end as subject,
        {{ amount_text('labelled.expected_wan') }} as expected,
        {{ amount_text('labelled.value_wan') }} as actual,
        {{ district_name_zh('labelled.district_code') }}
        || {{ period_label_zh('labelled.period') }}
        || labelled.reporter_zh
        || case
            when labelled.matched_basis = 'run_rate_level'
                then '营业收入本年累计为 ' || {{ money_text('labelled.value_wan') }}
                    || '，按月平均与前一期（' || {{ period_label_zh('labelled.previous_period') }} || '）本年累计 '
                    || {{ money_text('labelled.previous_value_wan') }}
                    || '按月平均持平，而前一期已疑似计量单位错误（见该期 DQ06 问题），本期约为应报数的 '
                    || labelled.factor_zh
            when labelled.matched_basis = 'run_rate'
                then '营业收入本年累计为 ' || {{ money_text('labelled.value_wan') }}
                    || '，按月平均约为前一期（' || {{ period_label_zh('labelled.previous_period') }} || '）本年累计 '
                    || {{ money_text('labelled.previous_value_wan') }} || '按月平均的 ' || labelled.factor_zh
            when labelled.matched_basis = 'year_earlier'
                then '营业收入本年累计为 ' || {{ money_text('labelled.value_wan') }}
                    || '，约为上年同期（' || {{ period_label_zh('labelled.prior_period') }} || '）'
                    || {{ money_text('labelled.prior_value_wan') }} || '的 ' || labelled.factor_zh
            when labelled.months_spanned = 1 and labelled.previous_months_spanned = 1
                then '营业收入本年累计为 ' || {{ money_text('labelled.value_wan') }}
                    || '，本月增量 ' || {{ money_text('labelled.increment_wan') }}
                    || '约为上月（' || {{ period_label_zh('labelled.previous_period') }} || '）增量 '
                    || {{ money_text('labelled.previous_increment_wan') }} || '的 ' || labelled.factor_zh
            else '营业收入本年累计为 ' || {{ money_text('labelled.value_wan') }}
                || '，本期增量 ' || {{ money_text('labelled.increment_wan') }}
                || '（' || cast(labelled.months_spanned as varchar) || ' 个月）按月平均约为前一期（'
                || {{ period_label_zh('labelled.previous_period') }} || '）增量 '
                || {{ money_text('labelled.previous_increment_wan') }}
                || '（' || cast(labelled.previous_months_spanned as varchar) || ' 个月）按月平均的 '
                || labelled.factor_zh
        end
        || '（误差 ' || {{ pct_text('rule.threshold_error') }} || ' 以内），疑似计量单位错误（元、千元、万元、亿元混用）。'
        || '请核对报表的计量单位并按万元更正。'
        || {{ source_text('labelled.source_file', 'labelled.source_row') }} as message,
        labelled.source_file,
        labelled.source_row,
        labelled.matched_power as unit_power,
        labelled.expected_wan,
        ['revenue'] as wrong_measures,
        -- the periods whose figures the message prints: the two an increment is the difference of
        case
            when labelled.matched_basis = 'year_earlier' then [labelled.prior_period]
            when labelled.matched_basis in ('run_rate', 'run_rate_level') then [labelled.previous_period]
            when labelled.period_before_previous is null then [labelled.previous_period]
            else [labelled.previous_period, labelled.period_before_previous]
        end as compared_periods

    from labelled

    cross join rule

),

{{ dq_findings_final(compares_periods=true) }}
