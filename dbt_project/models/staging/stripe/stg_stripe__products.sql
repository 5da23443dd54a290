{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'name': 'text', 'active': 'text', 'created': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'products') }}
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
        {{ tally.member_text('r', 'id') }} as product_id,
        {{ tally.member_text('r', 'name') }} as product_name,
        {{ tally.member_bool('r', 'active') }} as is_active,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
        _partition_date as landed_date
    from latest
)

select * from final
