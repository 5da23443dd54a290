with source as (
    select * from {{ source('stripe', 'charges') }}
),

latest as (
    select
        *,
        {#- the first and last day any version of the record landed (int_calendar) -#}
        min(_partition_date) over (partition by {{ tally.json_text('record', 'id') }})
            as first_landed_date,
        max(_partition_date) over (partition by {{ tally.json_text('record', 'id') }})
            as last_landed_date
    from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

renamed as (
    select
        {{ tally.json_text('record', 'id') }} as charge_id,
        {{ tally.json_ref('record', 'customer') }} as customer_id,
        {#- absent from basil on: the link is `invoice_payments` -#}
        {{ tally.json_ref('record', 'invoice') }} as invoice_id,
        {{ tally.json_ref('record', 'balance_transaction') }} as balance_transaction_id,
        {{ tally.json_text('record', 'status') }} as status,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.json_bigint('record', 'amount') }} as amount_minor,
        coalesce({{ tally.json_bigint('record', 'amount_refunded') }}, 0) as amount_refunded_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        _partition_date as landed_date,
        first_landed_date,
        last_landed_date
    from latest
),

final as (
    select
        *,
        {{ tally.minor_to_major('amount_minor', 'currency') }} as charge_amount,
        {{ tally.minor_to_major('amount_refunded_minor', 'currency') }} as refunded_amount
    from renamed
)

select * from final
