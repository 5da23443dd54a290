with source as (
    select * from {{ source('stripe', 'invoices') }}
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
        {{ tally.json_text('record', 'id') }} as invoice_id,
        {{ tally.json_ref('record', 'customer') }} as customer_id,
        {#- pre-basil: `subscription`; basil and later: `parent.subscription_details` -#}
        coalesce(
            {{ tally.json_ref('record', 'subscription') }},
            {{ tally.json_ref('record', 'parent.subscription_details.subscription') }}
        ) as subscription_id,
        {{ tally.json_text('record', 'status') }} as status,
        {{ tally.json_text('record', 'billing_reason') }} as billing_reason,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'period_start')) }} as period_start_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'period_end')) }} as period_end_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'status_transitions.finalized_at')) }} as finalized_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'status_transitions.paid_at')) }} as paid_at,
        {{ tally.json_bigint('record', 'subtotal') }} as subtotal_minor,
        {#- pre-basil: `tax`; basil and later: the sum of `total_taxes[].amount` -#}
        coalesce(
            {{ tally.json_bigint('record', 'tax') }},
            {{ tally.json_array_sum('record', 'total_taxes', 'amount') }},
            0
        ) as tax_minor,
        {{ tally.json_bigint('record', 'total') }} as total_minor,
        {{ tally.json_bigint('record', 'amount_due') }} as amount_due_minor,
        {{ tally.json_bigint('record', 'amount_paid') }} as amount_paid_minor,
        _partition_date as landed_date,
        first_landed_date,
        last_landed_date
    from latest
),

final as (
    select
        *,
        {{ tally.minor_to_major('subtotal_minor', 'currency') }} as subtotal_amount,
        {{ tally.minor_to_major('tax_minor', 'currency') }} as tax_amount,
        {{ tally.minor_to_major('total_minor', 'currency') }} as total_amount,
        {{ tally.minor_to_major('total_minor - tax_minor', 'currency') }} as total_excluding_tax_amount,
        {{ tally.minor_to_major('amount_paid_minor', 'currency') }} as amount_paid_amount
    from renamed
)

select * from final
