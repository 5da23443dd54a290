{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'source': 'json', 'type': 'text', 'reporting_category': 'text',
    'status': 'text', 'currency': 'text', 'amount': 'text', 'fee': 'text', 'net': 'text',
    'created': 'text', 'available_on': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'balance_transactions') }}
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
        {{ tally.member_text('r', 'id') }} as balance_transaction_id,
        {{ tally.member_ref('r', 'source') }} as source_id,
        {{ tally.member_text('r', 'type') }} as transaction_type,
        {{ tally.member_text('r', 'reporting_category') }} as reporting_category,
        {{ tally.member_text('r', 'status') }} as status,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.member_bigint('r', 'amount') }} as amount_minor,
        {{ tally.member_bigint('r', 'fee') }} as fee_minor,
        {{ tally.member_bigint('r', 'net') }} as net_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'available_on')) }} as available_on_at,
        _partition_date as landed_date
    from latest
),

final as (
    select
        *,
        {{ tally.minor_to_major('amount_minor', 'currency') }} as transaction_amount,
        {{ tally.minor_to_major('fee_minor', 'currency') }} as fee_amount,
        {{ tally.minor_to_major('net_minor', 'currency') }} as net_amount
    from renamed
)

select * from final
