{#- Every calendar day's MRR totals at the end of the day, as running sums over the days a
    customer's MRR changes (fct_customer_mrr_intervals): MRR, paying customers (MRR > 0), the
    MRR of subscriptions set to end and the MRR counted undiscounted. Exactly the sums over
    customers of their MRR that day (decimal sums are exact). -#}

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
            as mrr_with_unvalued_discount
    from {{ ref('int_calendar') }} as c
    left join change_days as d on d.event_day = c.date_day
    window w as (order by c.date_day rows unbounded preceding)
)

select * from final
