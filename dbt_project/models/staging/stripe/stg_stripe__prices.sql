with source as (
    select * from {{ source('stripe', 'prices') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as price_id,
        {{ tally.json_ref('record', 'product') }} as product_id,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        {{ tally.json_bigint('record', 'unit_amount') }} as unit_amount_minor,
        {{ tally.minor_to_major(tally.json_bigint('record', 'unit_amount'),
                                tally.json_text('record', 'currency')) }} as unit_amount,
        {{ tally.json_text('record', 'type') }} as price_type,
        {{ tally.json_text('record', 'recurring.interval') }} as recurring_interval,
        {{ tally.json_bigint('record', 'recurring.interval_count') }} as recurring_interval_count,
        coalesce({{ tally.json_text('record', 'recurring.usage_type') }}, 'licensed') as usage_type,
        {{ tally.json_bool('record', 'active') }} as is_active,
        _partition_date as landed_date
    from latest
)

select * from final
