{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'product': 'json', 'currency': 'text', 'unit_amount': 'text', 'type': 'text',
    'recurring.interval': 'text', 'recurring.interval_count': 'text',
    'recurring.usage_type': 'text', 'active': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'prices') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select * from parsed
    {{ latest_version(tally.member_text('r', 'id')) }}
),

final as (
    select
        {{ tally.member_text('r', 'id') }} as price_id,
        {{ tally.member_ref('r', 'product') }} as product_id,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.member_bigint('r', 'unit_amount') }} as unit_amount_minor,
        {{ tally.minor_to_major(tally.member_bigint('r', 'unit_amount'),
                                tally.member_text('r', 'currency')) }} as unit_amount,
        {{ tally.member_text('r', 'type') }} as price_type,
        {{ tally.member_text('r', 'recurring.interval') }} as recurring_interval,
        {{ tally.member_bigint('r', 'recurring.interval_count') }} as recurring_interval_count,
        coalesce({{ tally.member_text('r', 'recurring.usage_type') }}, 'licensed') as usage_type,
        {{ tally.member_bool('r', 'active') }} as is_active,
        _partition_date as landed_date
    from latest
)

select * from final
