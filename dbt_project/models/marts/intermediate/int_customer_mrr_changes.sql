{#- For every snapshot grain (day, month) and customer: MRR at the end of the previous period
    and of this one, and the movement it makes (KPIS.md: new, reactivation, expansion,
    contraction, churn). Only customers with MRR at either end appear. -#}

with daily as (
    select * from {{ ref('fct_customer_mrr_daily') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

first_paid as (
    select customer_key, min(date_day) as first_paid_day
    from daily
    group by customer_key
),

snapshots as (
    {#- day grain: every day; month grain: each month's snapshot day -#}
    select
        'day' as grain,
        date_day as period_start,
        date_day as snapshot_day,
        date_day - 1 as previous_snapshot_day
    from calendar
    union all
    select
        'month' as grain,
        month_start as period_start,
        date_day as snapshot_day,
        cast(month_start - 1 as date) as previous_snapshot_day
    from calendar
    where is_month_snapshot
),

pairs as (
    select
        s.grain,
        s.period_start,
        s.snapshot_day,
        s.previous_snapshot_day,
        cur.customer_key,
        coalesce(prev.mrr, 0) as mrr_start,
        cur.mrr as mrr_end
    from snapshots as s
    join daily as cur on cur.date_day = s.snapshot_day
    left join daily as prev
        on prev.date_day = s.previous_snapshot_day
        and prev.customer_key = cur.customer_key
),

{#- customers paying at the start of the period and not at its end -#}
starts_only as (
    select
        s.grain,
        s.period_start,
        s.snapshot_day,
        s.previous_snapshot_day,
        prev.customer_key,
        prev.mrr as mrr_start,
        0 as mrr_end
    from snapshots as s
    join daily as prev on prev.date_day = s.previous_snapshot_day
    anti join daily as cur
        on cur.date_day = s.snapshot_day
        and cur.customer_key = prev.customer_key
),

all_pairs as (
    select * from pairs
    union all
    select * from starts_only
),

final as (
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
)

select * from final
