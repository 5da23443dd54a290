{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'customer': 'json', 'invoice': 'json', 'balance_transaction': 'json',
    'status': 'text', 'currency': 'text', 'amount': 'text', 'amount_refunded': 'text',
    'created': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'charges') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select
        *,
        {#- the first and last day any version of the record landed (int_calendar) -#}
        min(_partition_date) over (partition by {{ tally.member_text('r', 'id') }})
            as first_landed_date,
        max(_partition_date) over (partition by {{ tally.member_text('r', 'id') }})
            as last_landed_date
    from parsed
    {{ latest_version(tally.member_text('r', 'id')) }}
),

renamed as (
    select
        {{ tally.member_text('r', 'id') }} as charge_id,
        {{ tally.member_ref('r', 'customer') }} as customer_id,
        {#- absent from basil on: the link is `invoice_payments` -#}
        {{ tally.member_ref('r', 'invoice') }} as invoice_id,
        {{ tally.member_ref('r', 'balance_transaction') }} as balance_transaction_id,
        {{ tally.member_text('r', 'status') }} as status,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.member_bigint('r', 'amount') }} as amount_minor,
        coalesce({{ tally.member_bigint('r', 'amount_refunded') }}, 0) as amount_refunded_minor,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
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
