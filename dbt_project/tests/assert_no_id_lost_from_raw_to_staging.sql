-- Every distinct id landed in raw reaches its staging model exactly once.
{%- set checks = [
    ('stripe_customers', 'stg_stripe__customers', 'customer_id'),
    ('stripe_subscriptions', 'stg_stripe__subscriptions', 'subscription_id'),
    ('stripe_invoices', 'stg_stripe__invoices', 'invoice_id'),
    ('stripe_charges', 'stg_stripe__charges', 'charge_id'),
    ('stripe_refunds', 'stg_stripe__refunds', 'refund_id'),
    ('stripe_prices', 'stg_stripe__prices', 'price_id'),
    ('hubspot_contacts', 'stg_hubspot__contacts', 'contact_id'),
    ('hubspot_companies', 'stg_hubspot__companies', 'company_id'),
    ('hubspot_deals', 'stg_hubspot__deals', 'deal_id'),
    ('zendesk_tickets', 'stg_zendesk__tickets', 'ticket_id'),
    ('zendesk_organizations', 'stg_zendesk__organizations', 'organization_id'),
] %}
{%- for raw_table, model, id_column in checks %}
select '{{ model }}' as model, raw_ids, staged_ids
from (
    select
        (select count(distinct record->>'id') from {{ source('raw', raw_table) }}) as raw_ids,
        (select count(distinct {{ id_column }}) from {{ ref(model) }}) as staged_ids
)
where raw_ids <> staged_ids
{% if not loop.last %}union all{% endif %}
{%- endfor %}
