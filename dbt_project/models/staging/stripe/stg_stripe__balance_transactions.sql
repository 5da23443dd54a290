with source as (
    select * from {{ source('stripe', 'balance_transactions') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

renamed as (
    select
        {{ tally.json_text('record', 'id') }} as balance_transaction_id,
        {{ tally.json_ref('record', 'source') }} as source_id,
        {{ tally.json_text('record', 'type') }} as transaction_type,
        {{ tally.json_text('record', 'reporting_category') }} as reporting_category,
        {{ tally.json_text('record', 'status') }} as status,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.json_bigint('record', 'amount') }} as amount_minor,
        {{ tally.json_bigint('record', 'fee') }} as fee_minor,
        {{ tally.json_bigint('record', 'net') }} as net_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'available_on')) }} as available_on_at,
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
