{#- One account across systems. The Stripe customer is the spine (a customer is a paying
    account); its account key is `metadata.account_id`, else the account id of another Stripe
    customer with the same company email domain, else the domain itself, else the Stripe id.
    A customer deleted in Stripe keeps its key (its invoices and subscriptions keep their
    history) but its identity links end: it anchors no domain and matches no HubSpot, Zendesk
    or GA4 account (int_source_accounts_matched). -#}

with customers as (
    select
        customer_id,
        account_id,
        {{ tally.company_domain('email_domain') }} as company_domain,
        created_at,
        currency,
        is_deleted
    from {{ ref('stg_stripe__customers') }}
),

domain_accounts as (
    {#- a domain names an account only when it names exactly one -#}
    select company_domain, min(account_id) as account_id
    from customers
    where account_id is not null and company_domain is not null and not is_deleted
    group by company_domain
    having count(distinct account_id) = 1
),

final as (
    select
        c.customer_id,
        coalesce(
            c.account_id,
            d.account_id,
            'domain:' || c.company_domain,
            'stripe:' || c.customer_id
        ) as customer_key,
        c.account_id,
        c.company_domain,
        case
            when c.account_id is not null then 'account_id'
            when d.account_id is not null then 'email_domain'
            when c.company_domain is not null then 'email_domain_only'
            else 'stripe_only'
        end as match_method,
        c.created_at,
        c.currency,
        c.is_deleted
    from customers as c
    left join domain_accounts as d using (company_domain)
)

select * from final
