-- Subscriptions counted undiscounted because a discount cannot be valued (LANDING.md).
select
    subscription_id,
    min(valid_from_date) as since,
    max(mrr_amount) as mrr_counted_undiscounted
from {{ ref('fct_subscription_mrr_segments') }}
where has_unvalued_discount
group by subscription_id
