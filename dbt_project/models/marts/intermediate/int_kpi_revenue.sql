{#- Invoiced revenue (finalized in the period, excluding tax; no credit notes are landed, so
    none are netted) and cash collected, both grains. -#}

with invoices as (
    select
        case when grouping(finalized_day) = 0 then 'day' else 'month' end as grain,
        coalesce(finalized_day, finalized_month) as period_start,
        sum(revenue_amount) as revenue,
        count(*) filter (where is_paid) as paid_invoices
    from (
        select *, cast(date_trunc('month', finalized_day) as date) as finalized_month
        from {{ ref('fct_invoices') }}
    )
    group by grouping sets ((finalized_day), (finalized_month))
),

cash as (
    select
        case when grouping(movement_day) = 0 then 'day' else 'month' end as grain,
        coalesce(movement_day, movement_month) as period_start,
        sum(amount) as cash_collected
    from (
        select *, cast(date_trunc('month', movement_day) as date) as movement_month
        from {{ ref('fct_cash_movements') }}
    )
    group by grouping sets ((movement_day), (movement_month))
),

final as (
    select
        p.grain,
        p.period_start,
        coalesce(i.revenue, 0) as revenue,
        coalesce(i.paid_invoices, 0) as paid_invoices,
        cast(i.revenue as double) / nullif(i.paid_invoices, 0) as average_sale_value,
        coalesce(c.cash_collected, 0) as cash_collected
    from {{ ref('int_periods') }} as p
    left join invoices as i using (grain, period_start)
    left join cash as c using (grain, period_start)
)

select * from final
