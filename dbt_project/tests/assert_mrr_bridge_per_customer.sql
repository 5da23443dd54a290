-- Per customer: start + movement = end, and a month starts at the previous month's end.
with m as (
    select
        *,
        lag(mrr_end) over (partition by customer_key order by month) as previous_end,
        lag(month) over (partition by customer_key order by month) as previous_month
    from {{ ref('mrr_movements') }}
)
select customer_key, month, mrr_start, movement_amount, mrr_end, previous_end
from m
where abs(mrr_start + movement_amount - mrr_end) > 0.0001
   or (previous_month = cast(month - interval 1 month as date)
       and abs(previous_end - mrr_start) > 0.0001)
   or (previous_month is distinct from cast(month - interval 1 month as date) and mrr_start <> 0)
