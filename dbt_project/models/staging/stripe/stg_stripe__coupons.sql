{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'percent_off': 'text', 'amount_off': 'text', 'currency': 'text',
    'duration': 'text', 'duration_in_months': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'coupons') }}
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
        {{ tally.member_text('r', 'id') }} as coupon_id,
        {{ tally.member_decimal('r', 'percent_off', 9, 4) }} as percent_off,
        {{ tally.member_bigint('r', 'amount_off') }} as amount_off_minor,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        {{ tally.member_text('r', 'duration') }} as duration,
        {{ tally.member_bigint('r', 'duration_in_months') }} as duration_in_months,
        _partition_date as landed_date
    from latest
)

select * from final
