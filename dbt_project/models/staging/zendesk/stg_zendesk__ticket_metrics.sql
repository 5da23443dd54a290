{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updated_at': 'text', 'ticket_id': 'text', 'created_at': 'text',
    'solved_at': 'text', 'reply_time_in_minutes.calendar': 'text',
    'reply_time_in_minutes.business': 'text', 'first_resolution_time_in_minutes.calendar': 'text',
    'full_resolution_time_in_minutes.calendar': 'text',
    'full_resolution_time_in_minutes.business': 'text', 'replies': 'text', 'reopens': 'text',
} %}

with source as (
    select * from {{ source('zendesk', 'ticket_metrics') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select * from parsed
    {{ latest_version(tally.member_text('r', 'id'),
                      tally.iso_to_timestamp(tally.member_text('r', 'updated_at'))) }}
),

final as (
    select
        {{ tally.member_bigint('r', 'id') }} as ticket_metric_id,
        {{ tally.member_bigint('r', 'ticket_id') }} as ticket_id,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updated_at')) }} as updated_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'solved_at')) }} as solved_at,
        {{ tally.member_bigint('r', 'reply_time_in_minutes.calendar') }} as reply_time_calendar_minutes,
        {{ tally.member_bigint('r', 'reply_time_in_minutes.business') }} as reply_time_business_minutes,
        {{ tally.member_bigint('r', 'first_resolution_time_in_minutes.calendar') }} as first_resolution_calendar_minutes,
        {{ tally.member_bigint('r', 'full_resolution_time_in_minutes.calendar') }} as full_resolution_calendar_minutes,
        {{ tally.member_bigint('r', 'full_resolution_time_in_minutes.business') }} as full_resolution_business_minutes,
        {{ tally.member_bigint('r', 'replies') }} as replies,
        {{ tally.member_bigint('r', 'reopens') }} as reopens,
        _partition_date as landed_date
    from latest
)

select * from final
