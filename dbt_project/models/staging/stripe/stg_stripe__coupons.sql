with source as (
    select * from {{ source('stripe', 'coupons') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as coupon_id,
        {{ tally.json_decimal('record', 'percent_off', 9, 4) }} as percent_off,
        {{ tally.json_bigint('record', 'amount_off') }} as amount_off_minor,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.json_text('record', 'duration') }} as duration,
        {{ tally.json_bigint('record', 'duration_in_months') }} as duration_in_months,
        _partition_date as landed_date
    from latest
)

select * from final
