{#- Cohorts of customers by the month they first paid (MRR > 0), followed month by month, for
    all customers and by first plan and acquisition channel. Month 0 is the cohort's own month
    (its MRR at that month's end is the base of revenue retention). -#}

with snapshots as (
    select period_start as month, snapshot_day
    from {{ ref('int_periods') }}
    where grain = 'month'
),

cohorts as (
    select
        i.customer_key,
        cast(date_trunc('month', min(i.valid_from_date)) as date) as cohort_month
    from {{ ref('fct_customer_mrr_intervals') }} as i
    group by i.customer_key
),

{#- Each customer's months from its cohort month on: its MRR at the month's snapshot day. The
    segments are grouping sets of one pass over these rows (a customer's months do not depend
    on the segment it is counted in). -#}
monthly as (
    select
        c.customer_key,
        c.cohort_month,
        s.month,
        {{ dbt.datediff('c.cohort_month', 's.month', 'month') }} as months_since_start,
        coalesce(d.mrr, 0) as mrr
    from cohorts as c
    join snapshots as s on s.month >= c.cohort_month
    left join {{ ref('fct_customer_mrr_intervals') }} as d
        on d.customer_key = c.customer_key
        and s.snapshot_day >= d.valid_from_date
        and s.snapshot_day < d.valid_to_date
),

revenue as (
    select customer_key, cast(date_trunc('month', finalized_day) as date) as month,
           sum(revenue_amount) as revenue
    from {{ ref('fct_invoices') }}
    group by all
),

with_revenue as (
    select
        mo.*,
        sum(coalesce(r.revenue, 0)) over (
            partition by mo.customer_key order by mo.month
            rows unbounded preceding
        ) as cumulative_revenue
    from monthly as mo
    left join revenue as r using (customer_key, month)
),

aggregated as (
    select
        w.cohort_month,
        w.months_since_start,
        case
            when grouping(dc.first_plan) = 0 then 'plan'
            when grouping(dc.acquisition_channel) = 0 then 'channel'
            else 'all'
        end as segment,
        case
            when grouping(dc.first_plan) = 0 then dc.first_plan
            when grouping(dc.acquisition_channel) = 0 then dc.acquisition_channel
            else 'all'
        end as segment_value,
        count(*) as customers,
        count(*) filter (where w.mrr > 0) as retained_customers,
        sum(w.mrr) as mrr,
        sum(w.cumulative_revenue) as cumulative_revenue
    from with_revenue as w
    join {{ ref('dim_customer') }} as dc using (customer_key)
    group by grouping sets (
        (w.cohort_month, w.months_since_start),
        (w.cohort_month, w.months_since_start, dc.first_plan),
        (w.cohort_month, w.months_since_start, dc.acquisition_channel)
    )
),

final as (
    select
        cohort_month,
        months_since_start,
        segment,
        segment_value,
        customers,
        retained_customers,
        retained_customers / nullif(customers, 0) as logo_retention,
        mrr,
        cast(mrr as double) / nullif(first_value(mrr) over (
            partition by cohort_month, segment, segment_value order by months_since_start
        ), 0) as revenue_retention,
        cast(cumulative_revenue as double) / nullif(customers, 0)
            as cumulative_revenue_per_customer
    from aggregated
)

select * from final
