{#- Customers acquired (a `new` movement) in a month, with their channel and the revenue of
    their first 12 months from that month (to date for recent cohorts): marketing ROI's basis. -#}

with acquired as (
    select c.customer_key, c.period_start as acquired_month, d.acquisition_channel
    from {{ ref('int_customer_mrr_changes') }} as c
    join {{ ref('dim_customer') }} as d using (customer_key)
    where c.grain = 'month' and c.movement_type = 'new'
)

select
    a.customer_key,
    a.acquired_month,
    a.acquisition_channel,
    coalesce(sum(i.revenue_amount), 0) as first_12m_revenue
from acquired as a
left join {{ ref('fct_invoices') }} as i
    on i.customer_key = a.customer_key
    and i.finalized_day >= a.acquired_month
    and i.finalized_day < cast(a.acquired_month + interval 12 month as date)
group by all
