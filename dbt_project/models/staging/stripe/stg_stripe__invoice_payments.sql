{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'invoice': 'json', 'payment.type': 'text', 'payment.charge': 'json',
    'payment.payment_intent': 'json', 'status': 'text', 'currency': 'text', 'amount_paid': 'text',
    'status_transitions.paid_at': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'invoice_payments') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select * from parsed
    {{ latest_version(tally.member_text('r', 'id')) }}
),

renamed as (
    select
        {{ tally.member_text('r', 'id') }} as invoice_payment_id,
        {{ tally.member_ref('r', 'invoice') }} as invoice_id,
        {{ tally.member_text('r', 'payment.type') }} as payment_type,
        {{ tally.member_ref('r', 'payment.charge') }} as charge_id,
        {{ tally.member_ref('r', 'payment.payment_intent') }} as payment_intent_id,
        {{ tally.member_text('r', 'status') }} as status,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.member_bigint('r', 'amount_paid') }} as amount_paid_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'status_transitions.paid_at')) }} as paid_at,
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
