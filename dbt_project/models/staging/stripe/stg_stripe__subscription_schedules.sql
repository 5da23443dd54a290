with source as (
    select * from {{ source('stripe', 'subscription_schedules') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as subscription_schedule_id,
        {{ tally.json_ref('record', 'subscription') }} as subscription_id,
        {{ tally.json_ref('record', 'customer') }} as customer_id,
        {{ tally.json_text('record', 'status') }} as status,
        {{ tally.json_value('record', 'phases') }} as phases,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        _partition_date as landed_date
    from latest
)

select * from final
