with source as (
    select * from {{ source('stripe', 'invoice_payments') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

renamed as (
    select
        {{ tally.json_text('record', 'id') }} as invoice_payment_id,
        {{ tally.json_ref('record', 'invoice') }} as invoice_id,
        {{ tally.json_text('record', 'payment.type') }} as payment_type,
        {{ tally.json_ref('record', 'payment.charge') }} as charge_id,
        {{ tally.json_ref('record', 'payment.payment_intent') }} as payment_intent_id,
        {{ tally.json_text('record', 'status') }} as status,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.json_bigint('record', 'amount_paid') }} as amount_paid_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'status_transitions.paid_at')) }} as paid_at,
        _partition_date as landed_date
    from latest
),

final as (
    select
        *,
        {{ tally.minor_to_major('amount_paid_minor', 'currency') }} as amount_paid_amount
    from renamed
)

select * from final
