{#- The record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'customer': 'json', 'subscription': 'json',
    'parent.subscription_details.subscription': 'json', 'status': 'text',
    'billing_reason': 'text', 'currency': 'text', 'created': 'text', 'period_start': 'text',
    'period_end': 'text', 'status_transitions.finalized_at': 'text',
    'status_transitions.paid_at': 'text', 'subtotal': 'text', 'tax': 'text',
    'total_taxes': 'json', 'total': 'text', 'amount_due': 'text', 'amount_paid': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'invoices') }}
),

parsed as (
    select
        _partition_date,
        _file,
        _line_number,
        {{ tally.json_parse('record', members) }} as r
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
        {{ tally.member_text('r', 'id') }} as invoice_id,
        {{ tally.member_ref('r', 'customer') }} as customer_id,
        {#- pre-basil: `subscription`; basil and later: `parent.subscription_details` -#}
        coalesce(
            {{ tally.member_ref('r', 'subscription') }},
            {{ tally.member_ref('r', 'parent.subscription_details.subscription') }}
        ) as subscription_id,
        {{ tally.member_text('r', 'status') }} as status,
        {{ tally.member_text('r', 'billing_reason') }} as billing_reason,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'period_start')) }} as period_start_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'period_end')) }} as period_end_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'status_transitions.finalized_at')) }} as finalized_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'status_transitions.paid_at')) }} as paid_at,
        {{ tally.member_bigint('r', 'subtotal') }} as subtotal_minor,
        {#- pre-basil: `tax`; basil and later: the sum of `total_taxes[].amount` -#}
        coalesce(
            {{ tally.member_bigint('r', 'tax') }},
            {{ tally.member_array_sum('r', 'total_taxes', 'amount') }},
            0
        ) as tax_minor,
        {{ tally.member_bigint('r', 'total') }} as total_minor,
        {{ tally.member_bigint('r', 'amount_due') }} as amount_due_minor,
        {{ tally.member_bigint('r', 'amount_paid') }} as amount_paid_minor,
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
