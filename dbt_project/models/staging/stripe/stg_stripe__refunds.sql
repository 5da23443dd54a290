{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'charge': 'json', 'balance_transaction': 'json', 'status': 'text',
    'reason': 'text', 'currency': 'text', 'amount': 'text', 'created': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'refunds') }}
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
        {{ tally.member_text('r', 'id') }} as refund_id,
        {{ tally.member_ref('r', 'charge') }} as charge_id,
        {{ tally.member_ref('r', 'balance_transaction') }} as balance_transaction_id,
        {{ tally.member_text('r', 'status') }} as status,
        {{ tally.member_text('r', 'reason') }} as reason,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.member_bigint('r', 'amount') }} as amount_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
        _partition_date as landed_date
    from latest
),

final as (
    select
        *,
        {{ tally.minor_to_major('amount_minor', 'currency') }} as refund_amount
    from renamed
)

select * from final
