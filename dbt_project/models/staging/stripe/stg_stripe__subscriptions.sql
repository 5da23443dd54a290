-- The current (latest landed) version of each subscription.
select *
from {{ ref('stg_stripe__subscription_history') }}
where is_latest
