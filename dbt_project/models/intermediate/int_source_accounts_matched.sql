{#- The accounts of HubSpot (companies), Zendesk (organizations) and GA4 (account_id user
    property), each matched to a Stripe customer key by account id, then by company domain.
    Unmatched accounts are kept with a NULL customer_key (they count in the match rates). -#}

with keys as (
    select distinct customer_key, account_id, company_domain
    from {{ ref('int_customer_identity') }}
    where is_deleted is not true  {#- a deleted Stripe customer's links end -#}
),

by_account as (
    select distinct account_id, customer_key from keys where account_id is not null
),

by_domain as (
    select company_domain, min(customer_key) as customer_key
    from keys
    where company_domain is not null
    group by company_domain
    having count(distinct customer_key) = 1
),

hubspot as (
    select
        'hubspot' as source,
        c.company_id as source_account_id,
        coalesce(a.customer_key, d.customer_key) as customer_key,
        case when a.customer_key is not null then 'account_id'
             when d.customer_key is not null then 'email_domain' end as match_method
    from {{ ref('stg_hubspot__companies') }} as c
    left join by_account as a on a.account_id = c.account_id
    left join by_domain as d on d.company_domain = {{ tally.company_domain('c.domain') }}
    where not c.is_archived
),

zendesk_domains as (
    select o.organization_id, o.external_id, {{ tally.unnest_select('o.domain_names') }} as domain_name
    from {{ ref('stg_zendesk__organizations') }} as o
),

zendesk as (
    select
        'zendesk' as source,
        cast(o.organization_id as string) as source_account_id,
        coalesce(a.customer_key, min(d.customer_key)) as customer_key,
        case when a.customer_key is not null then 'account_id'
             when min(d.customer_key) is not null then 'email_domain' end as match_method
    from {{ ref('stg_zendesk__organizations') }} as o
    left join by_account as a on a.account_id = o.external_id
    left join zendesk_domains as zd on zd.organization_id = o.organization_id
    left join by_domain as d on d.company_domain = {{ tally.company_domain('zd.domain_name') }}
    group by o.organization_id, a.customer_key
),

ga4 as (
    select
        'ga4' as source,
        e.account_id as source_account_id,
        a.customer_key,
        case when a.customer_key is not null then 'account_id' end as match_method
    from (select distinct account_id from {{ ref('int_ga4_account_days') }}) as e
    left join by_account as a on a.account_id = e.account_id
),

final as (
    select * from hubspot
    union all
    select * from zendesk
    union all
    select * from ga4
)

select * from final
