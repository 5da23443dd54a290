{#- One row per customer (account), resolved across Stripe, HubSpot, Zendesk and GA4. No PII:
    names and emails stay in staging. -#}

with identity as (
    select * from {{ ref('int_customer_identity') }}
),

accounts as (
    select
        customer_key,
        min(account_id) as account_id,
        min(created_at) as first_seen_at,
        count(*) as stripe_customers,
        min(match_method) as match_method
    from identity
    group by customer_key
),

{#- the most frequent currency of the account's Stripe customers, the first by name on a tie
    (`mode()` picks any on a tie, and not the same one on both engines) -#}
billing_currencies as (
    select customer_key, currency as billing_currency
    from (
        select customer_key, currency, count(*) as customers
        from identity
        where currency is not null
        group by customer_key, currency
    ) as counted
    qualify row_number() over (
        partition by customer_key order by customers desc, currency
    ) = 1
),

matched as (
    select * from {{ ref('int_source_accounts_matched') }} where customer_key is not null
),

hubspot_channel as (
    {#- the original source of the company's earliest contact -#}
    select
        m.customer_key,
        min_by({{ tally.hubspot_channel('c.analytics_source') }}, c.created_at) as channel
    from matched as m
    join {{ ref('stg_hubspot__contacts') }} as c on c.company_id = m.source_account_id
    where m.source = 'hubspot' and c.analytics_source is not null
    group by m.customer_key
),

ga4_channel as (
    {#- else the first-touch source of the account's first GA4 event -#}
    select
        m.customer_key,
        min_by({{ tally.ga4_channel('e.first_touch_source', 'e.first_touch_medium') }},
               e.first_event_at) as channel
    from matched as m
    join {{ ref('int_ga4_account_days') }} as e on e.account_id = m.source_account_id
    where m.source = 'ga4'
    group by m.customer_key
),

first_plan as (
    select
        coalesce(ci.customer_key, 'stripe:' || s.customer_id) as customer_key,
        min_by(p.product_name, s.valid_from_date) as first_plan
    from {{ ref('fct_subscription_mrr_segments') }} as s
    left join identity as ci using (customer_id)
    join {{ ref('int_subscription_items') }} as i
        on i.subscription_id = s.subscription_id
        and i.valid_from_date = s.version_valid_from_date
        and i.usage_type <> 'metered'
    left join {{ ref('stg_stripe__prices') }} as pr on pr.price_id = i.price_id
    left join {{ ref('stg_stripe__products') }} as p on p.product_id = pr.product_id
    where s.mrr_amount > 0
    group by 1
),

final as (
    select
        a.customer_key,
        a.account_id,
        a.first_seen_at,
        bc.billing_currency,
        a.stripe_customers,
        a.match_method,
        coalesce(h.channel, g.channel, 'unknown') as acquisition_channel,
        coalesce(fp.first_plan, 'unknown') as first_plan,
        (select min(source_account_id) from matched as m
         where m.customer_key = a.customer_key and m.source = 'hubspot') as hubspot_company_id,
        (select min(source_account_id) from matched as m
         where m.customer_key = a.customer_key and m.source = 'zendesk') as zendesk_organization_id
    from accounts as a
    left join billing_currencies as bc using (customer_key)
    left join hubspot_channel as h using (customer_key)
    left join ga4_channel as g using (customer_key)
    left join first_plan as fp using (customer_key)
)

select * from final
