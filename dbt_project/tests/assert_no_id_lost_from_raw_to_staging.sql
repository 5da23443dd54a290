-- Every distinct id landed in raw reaches its staging model exactly once.
{%- set checks = [
    ('stripe', 'customers', 'stg_stripe__customers', 'customer_id'),
    ('stripe', 'subscriptions', 'stg_stripe__subscription_history', 'subscription_id'),
    ('stripe', 'invoices', 'stg_stripe__invoices', 'invoice_id'),
    ('stripe', 'charges', 'stg_stripe__charges', 'charge_id'),
    ('stripe', 'refunds', 'stg_stripe__refunds', 'refund_id'),
    ('stripe', 'prices', 'stg_stripe__prices', 'price_id'),
    ('hubspot', 'contacts', 'stg_hubspot__contacts', 'contact_id'),
    ('hubspot', 'companies', 'stg_hubspot__companies', 'company_id'),
    ('hubspot', 'deals', 'stg_hubspot__deals', 'deal_id'),
    ('zendesk', 'tickets', 'stg_zendesk__tickets', 'ticket_id'),
    ('zendesk', 'organizations', 'stg_zendesk__organizations', 'organization_id'),
] %}
{%- for vendor, table, model, id_column in checks %}
select '{{ model }}' as model, raw_ids, staged_ids
from (
    select
        (select count(distinct {{ tally.json_text('record', 'id') }}) from {{ source(vendor, table) }})
            as raw_ids,
        (select count(distinct {{ id_column }}) from {{ ref(model) }}) as staged_ids
)
where raw_ids <> staged_ids
{% if not loop.last %}union all{% endif %}
{%- endfor %}
