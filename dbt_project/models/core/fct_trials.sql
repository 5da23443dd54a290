{#- Trials: subscriptions with a trial, the day it ends, whether the subscription then paid,
    and whether the account fired the activation event during the trial (a PQL). -#}

with subs as (
    select
        s.subscription_id,
        coalesce(ci.customer_key, 'stripe:' || s.customer_id) as customer_key,
        s.trial_start_at,
        s.trial_end_at
    from {{ ref('stg_stripe__subscription_history') }} as s
    left join {{ ref('int_customer_identity') }} as ci using (customer_id)
    where s.is_latest
      and s.trial_end_at is not null
),

paid as (
    select distinct subscription_id
    from {{ ref('fct_subscription_mrr_segments') }}
    where mrr_amount > 0
),

activations as (
    select
        m.customer_key,
        {{ tally.unnest_select('e.activation_times') }} as event_at
    from {{ ref('int_ga4_account_days') }} as e
    join {{ ref('int_source_accounts_matched') }} as m
        on m.source = 'ga4' and m.source_account_id = e.account_id
    where {{ tally.array_size('e.activation_times') }} > 0
),

final as (
    select
        s.subscription_id,
        s.customer_key,
        {{ tally.reporting_date('s.trial_start_at') }} as trial_start_day,
        {{ tally.reporting_date('s.trial_end_at') }} as trial_end_day,
        p.subscription_id is not null as converted,
        {{ tally.reporting_date('min(a.event_at)') }} as activated_day
    from subs as s
    left join paid as p using (subscription_id)
    left join activations as a
        on a.customer_key = s.customer_key
        and a.event_at >= coalesce(s.trial_start_at, s.trial_end_at - interval 30 day)
        and a.event_at < s.trial_end_at
    group by all
)

select * from final
