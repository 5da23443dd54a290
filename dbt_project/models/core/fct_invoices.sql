-- Invoices with revenue in the reporting currency at the rate of the day they were finalized.
with invoices as (
    select
        i.*,
        coalesce(ci.customer_key, 'stripe:' || i.customer_id) as customer_key,
        {{ tally.reporting_date('coalesce(i.finalized_at, i.created_at)') }} as finalized_day
    from {{ ref('stg_stripe__invoices') }} as i
    left join {{ ref('int_customer_identity') }} as ci using (customer_id)
    where i.status not in ('draft', 'void')
),

final as (
    select
        i.invoice_id,
        i.customer_key,
        i.subscription_id,
        i.status,
        i.billing_reason,
        i.currency,
        i.finalized_day,
        i.status = 'paid' as is_paid,
        {{ tally.to_reporting('i.total_excluding_tax_amount', 'i.currency', 'i.finalized_day') }}
            as revenue_amount,
        {{ tally.to_reporting('i.tax_amount', 'i.currency', 'i.finalized_day') }} as tax_amount
    from invoices as i
    {{ tally.fx_join('i.currency', 'i.finalized_day') }}
)

select * from final
