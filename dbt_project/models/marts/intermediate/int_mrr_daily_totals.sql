{#- Every calendar day's MRR totals at the end of the day, as running sums over the days a
    customer's MRR changes (fct_customer_mrr_intervals): MRR, paying customers (MRR > 0), the
    MRR of subscriptions set to end and the MRR counted undiscounted. Exactly the sums over
    customers of their MRR that day (decimal sums are exact). Also, for `nrr_12m` / `grr_12m`,
    the MRR today of the customers that had MRR 12 months earlier (the day
    `day - interval 12 month`), as is and capped at their MRR then: each customer's intervals
    then are moved onto the days whose "12 months earlier" falls in them, and intersected with
    its intervals now, so this too is a running sum over change days. -#}

{#- the first day d with cast(d - interval 12 month as date) >= X (after a 29 February, the
    1 March a year later: no day maps back to 29 February) -#}
{%- set shifted_day -%}
case
    when cast(cast(X + interval 12 month as date) - interval 12 month as date) < X
        then cast(X + interval 12 month as date) + 1
    else cast(X + interval 12 month as date)
end
{%- endset %}

with intervals as (
    select * from {{ ref('fct_customer_mrr_intervals') }}
),

events as (
    select
        valid_from_date as event_day,
        mrr as d_mrr,
        case when mrr > 0 then 1 else 0 end as d_paying,
        coalesce(mrr_set_to_end, 0) as d_set_to_end,
        coalesce(mrr_with_unvalued_discount, 0) as d_unvalued
    from intervals
    union all
    select
        valid_to_date,
        -mrr,
        case when mrr > 0 then -1 else 0 end,
        -coalesce(mrr_set_to_end, 0),
        -coalesce(mrr_with_unvalued_discount, 0)
    from intervals
),

{#- computed once per distinct day (~700), not twice per interval (millions), then looked up -#}
interval_days as (
    select valid_from_date as day_then from intervals
    union
    select valid_to_date from intervals
),

shift_days as (
    select day_then, {{ shifted_day | replace('X', 'day_then') }} as day_now
    from interval_days
),

shifted as (
    select
        i.customer_key,
        i.mrr as then_mrr,
        f.day_now as valid_from_date,
        t.day_now as valid_to_date
    from intervals as i
    join shift_days as f on f.day_then = i.valid_from_date
    join shift_days as t on t.day_then = i.valid_to_date
),

{#- only days of the calendar can have a cohort: none at all before its 13th month -#}
shifted_nonempty as (
    select * from shifted
    where valid_from_date < valid_to_date
        and valid_from_date <= (select max(date_day) from {{ ref('int_calendar') }})
),

{#- intervals now that can meet a moved interval then (ending after the customer's first) -#}
intervals_now as (
    select i.*
    from intervals as i
    join (
        select customer_key, min(valid_from_date) as first_shifted_day
        from shifted_nonempty
        group by customer_key
    ) as f
        on f.customer_key = i.customer_key
        and i.valid_to_date > f.first_shifted_day
),

points as (
    select customer_key, valid_from_date as point_day from intervals_now
    union
    select customer_key, valid_to_date from intervals_now
    union
    select customer_key, valid_from_date from shifted_nonempty
    union
    select customer_key, valid_to_date from shifted_nonempty
),

with_now as (
    select
        p.customer_key,
        p.point_day,
        case when p.point_day < n.valid_to_date then n.mrr end as now_mrr
    from points as p
    {{ tally.interval_left_join('intervals_now', 'n', 'customer_key', 'p.customer_key',
                                'p.point_day', 'valid_from_date', 'valid_to_date') }}
),

with_then as (
    select
        p.customer_key,
        p.point_day,
        lead(p.point_day) over (partition by p.customer_key order by p.point_day) as next_day,
        p.now_mrr,
        case when p.point_day < t.valid_to_date then t.then_mrr end as then_mrr
    from with_now as p
    {{ tally.interval_left_join('shifted_nonempty', 't', 'customer_key', 'p.customer_key',
                                'p.point_day', 'valid_from_date', 'valid_to_date') }}
),

{#- pieces of days where a customer had MRR 12 months earlier and has MRR now -#}
cohort_pieces as (
    select point_day, next_day, now_mrr, least(now_mrr, then_mrr) as capped_mrr
    from with_then
    where now_mrr is not null and then_mrr is not null and next_day is not null
),

cohort_events as (
    select point_day as event_day, now_mrr as d_now, capped_mrr as d_capped from cohort_pieces
    union all
    select next_day, -now_mrr, -capped_mrr from cohort_pieces
),

cohort_days as (
    select event_day, sum(d_now) as d_now, sum(d_capped) as d_capped
    from cohort_events
    group by event_day
),

change_days as (
    select
        event_day,
        sum(d_mrr) as d_mrr,
        sum(d_paying) as d_paying,
        sum(d_set_to_end) as d_set_to_end,
        sum(d_unvalued) as d_unvalued
    from events
    group by event_day
),

final as (
    select
        c.date_day,
        cast(coalesce(sum(d.d_mrr) over w, 0) as decimal(38, 4)) as mrr,
        cast(coalesce(sum(d.d_paying) over w, 0) as bigint) as paying_customers,
        cast(coalesce(sum(d.d_set_to_end) over w, 0) as decimal(38, 4)) as mrr_set_to_end,
        cast(coalesce(sum(d.d_unvalued) over w, 0) as decimal(38, 4))
            as mrr_with_unvalued_discount,
        cast(coalesce(sum(h.d_now) over w, 0) as decimal(38, 4)) as mrr_now_of_12m_cohort,
        cast(coalesce(sum(h.d_capped) over w, 0) as decimal(38, 4))
            as mrr_now_capped_of_12m_cohort
    from {{ ref('int_calendar') }} as c
    left join change_days as d on d.event_day = c.date_day
    left join cohort_days as h on h.event_day = c.date_day
    window w as (order by c.date_day rows unbounded preceding)
)

select * from final
