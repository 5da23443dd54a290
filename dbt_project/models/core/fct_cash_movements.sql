{#- Money in and out of the Stripe balance, by day, in the reporting currency: succeeded
    charges, refunds and processor fees (KPIS.md `cash_collected`), one row per Stripe object
    (charge, refund, balance transaction). -#}

with movements as (
    select
        {{ tally.reporting_date('created_at') }} as movement_day,
        'charge' as movement_type,
        charge_id as movement_id,
        currency,
        charge_amount as amount
    from {{ ref('stg_stripe__charges') }}
    where status = 'succeeded'
    union all
    select
        {{ tally.reporting_date('created_at') }},
        'refund',
        refund_id,
        currency,
        -refund_amount
    from {{ ref('stg_stripe__refunds') }}
    where status in ('succeeded', 'pending')
    union all
    select
        {{ tally.reporting_date('created_at') }},
        'fee',
        balance_transaction_id,
        currency,
        -fee_amount
    from {{ ref('stg_stripe__balance_transactions') }}
    where fee_amount <> 0
),

final as (
    select
        m.movement_day,
        m.movement_type,
        m.movement_id,
        m.currency,
        {{ tally.to_reporting('m.amount', 'm.currency', 'm.movement_day') }} as amount
    from movements as m
    {{ tally.fx_join('m.currency', 'm.movement_day') }}
)

select * from final
