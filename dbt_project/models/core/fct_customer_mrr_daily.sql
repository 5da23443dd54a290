{#- Each customer's MRR at the end of every day it is positive, in the reporting currency at
    that day's rate. Derived from the compact segments; days with no MRR are not stored. -#}

with segments as (
    select
        s.*,
        coalesce(ci.customer_key, 'stripe:' || s.customer_id) as customer_key
    from {{ ref('fct_subscription_mrr_segments') }} as s
    left join {{ ref('int_customer_identity') }} as ci using (customer_id)
    where s.mrr_amount > 0
),

days as (
    select
        s.customer_key,
        s.subscription_id,
        s.currency,
        s.mrr_amount,
        s.is_set_to_end,
        s.has_unvalued_discount,
        c.date_day
    from segments as s
    join {{ ref('int_calendar') }} as c
        on c.date_day >= s.valid_from_date
        and c.date_day < s.valid_to_date
),

converted as (
    select
        d.customer_key,
        d.date_day,
        {{ tally.to_reporting('d.mrr_amount', 'd.currency', 'd.date_day') }} as mrr_amount,
        d.is_set_to_end,
        d.has_unvalued_discount
    from days as d
    {{ tally.fx_join('d.currency', 'd.date_day') }}
),

final as (
    select
        customer_key,
        date_day,
        sum(mrr_amount) as mrr,
        sum(mrr_amount) filter (where is_set_to_end) as mrr_set_to_end,
        sum(mrr_amount) filter (where has_unvalued_discount) as mrr_with_unvalued_discount
    from converted
    group by customer_key, date_day
)

select * from final
