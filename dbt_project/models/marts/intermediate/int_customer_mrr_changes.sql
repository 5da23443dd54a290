{#- For every snapshot grain (day, month) and customer: MRR at the end of the previous period
    and of this one, and the movement it makes (KPIS.md: new, reactivation, expansion,
    contraction, churn). Built from the customer MRR intervals, never from a customer x day
    table. Day grain: only the days a customer's MRR changes (an interval starts, or ends with
    no interval right after it); a day without a row is `unchanged` for that customer, and the
    day's levels (MRR, paying customers) come from int_mrr_daily_totals. Month grain: every
    customer with MRR at either end of the month, `unchanged` included (mrr_movements). -#}

with intervals as (
    select * from {{ ref('fct_customer_mrr_intervals') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

first_paid as (
    select customer_key, min(valid_from_date) as first_paid_day
    from intervals
    group by customer_key
),

neighbours as (
    select
        *,
        lag(valid_to_date) over w as previous_valid_to_date,
        lag(mrr) over w as previous_mrr,
        lead(valid_from_date) over w as next_valid_from_date
    from intervals
    window w as (partition by customer_key order by valid_from_date)
),

day_pairs as (
    {#- an interval starts: from the adjacent previous interval's MRR, or from none -#}
    select
        'day' as grain,
        valid_from_date as period_start,
        valid_from_date as snapshot_day,
        valid_from_date - 1 as previous_snapshot_day,
        customer_key,
        case when previous_valid_to_date = valid_from_date then previous_mrr else 0 end
            as mrr_start,
        mrr as mrr_end
    from neighbours
    union all
    {# an interval ends with none right after it, inside the calendar: MRR falls to none #}
    select
        'day',
        valid_to_date,
        valid_to_date,
        valid_to_date - 1,
        customer_key,
        mrr,
        0
    from neighbours
    where next_valid_from_date is distinct from valid_to_date
        and valid_to_date <= (select max(date_day) from calendar)
),

month_snapshots as (
    select
        month_start as period_start,
        date_day as snapshot_day,
        cast(month_start - 1 as date) as previous_snapshot_day
    from calendar
    where is_month_snapshot
),

{#- the intervals that can hold a month's first or last snapshot: every interval longer than a
    day, and the one-day intervals (a customer converted day by day) on those days -#}
month_days as (
    select snapshot_day as snapshot_day from month_snapshots
    union
    select previous_snapshot_day from month_snapshots
),

snapshot_intervals as (
    select i.*
    from intervals as i
    left join month_days as d on d.snapshot_day = i.valid_from_date
    where i.valid_to_date > i.valid_from_date + 1 or d.snapshot_day is not null
),

month_ends as (
    select s.period_start, s.snapshot_day, s.previous_snapshot_day, i.customer_key, i.mrr
    from month_snapshots as s
    join snapshot_intervals as i
        on s.snapshot_day >= i.valid_from_date
        and s.snapshot_day < i.valid_to_date
),

month_starts as (
    select s.period_start, s.snapshot_day, s.previous_snapshot_day, i.customer_key, i.mrr
    from month_snapshots as s
    join snapshot_intervals as i
        on s.previous_snapshot_day >= i.valid_from_date
        and s.previous_snapshot_day < i.valid_to_date
),

month_pairs as (
    select
        'month' as grain,
        coalesce(e.period_start, s.period_start) as period_start,
        coalesce(e.snapshot_day, s.snapshot_day) as snapshot_day,
        coalesce(e.previous_snapshot_day, s.previous_snapshot_day) as previous_snapshot_day,
        coalesce(e.customer_key, s.customer_key) as customer_key,
        coalesce(s.mrr, 0) as mrr_start,
        coalesce(e.mrr, 0) as mrr_end
    from month_ends as e
    full join month_starts as s
        on s.period_start = e.period_start
        and s.customer_key = e.customer_key
),

all_pairs as (
    select * from day_pairs
    union all
    select * from month_pairs
),

classified as (
    select
        p.grain,
        p.period_start,
        p.snapshot_day,
        p.customer_key,
        cast(p.mrr_start as decimal(18, 4)) as mrr_start,
        cast(p.mrr_end as decimal(18, 4)) as mrr_end,
        cast(p.mrr_end - p.mrr_start as decimal(18, 4)) as mrr_change,
        case
            when p.mrr_start = 0 and p.mrr_end > 0 and f.first_paid_day > p.previous_snapshot_day
                then 'new'
            when p.mrr_start = 0 and p.mrr_end > 0 then 'reactivation'
            when p.mrr_start > 0 and p.mrr_end = 0 then 'churn'
            when p.mrr_end > p.mrr_start then 'expansion'
            when p.mrr_end < p.mrr_start then 'contraction'
            else 'unchanged'
        end as movement_type
    from all_pairs as p
    join first_paid as f using (customer_key)
),

final as (
    select * from classified
    where grain = 'month' or movement_type <> 'unchanged'
)

select * from final
