with source as (
    select * from {{ source('stripe', 'refunds') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

renamed as (
    select
        {{ tally.json_text('record', 'id') }} as refund_id,
        {{ tally.json_ref('record', 'charge') }} as charge_id,
        {{ tally.json_ref('record', 'balance_transaction') }} as balance_transaction_id,
        {{ tally.json_text('record', 'status') }} as status,
        {{ tally.json_text('record', 'reason') }} as reason,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.json_bigint('record', 'amount') }} as amount_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
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
