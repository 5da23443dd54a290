{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'subscription': 'json', 'customer': 'json', 'status': 'text', 'phases': 'json',
    'created': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'subscription_schedules') }}
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
        {{ tally.member_text('r', 'id') }} as subscription_schedule_id,
        {{ tally.member_ref('r', 'subscription') }} as subscription_id,
        {{ tally.member_ref('r', 'customer') }} as customer_id,
        {{ tally.member_text('r', 'status') }} as status,
        {{ tally.member_json('r', 'phases') }} as phases,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
        _partition_date as landed_date
    from latest
)

select * from final
