with source as (
    select * from {{ source('stripe', 'products') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as product_id,
        {{ tally.json_text('record', 'name') }} as product_name,
        {{ tally.json_bool('record', 'active') }} as is_active,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        _partition_date as landed_date
    from latest
)

select * from final
