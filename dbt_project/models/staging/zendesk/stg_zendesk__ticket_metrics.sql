with source as (
    select * from {{ source('zendesk', 'ticket_metrics') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updated_at'))) }}
),

final as (
    select
        {{ tally.json_bigint('record', 'id') }} as ticket_metric_id,
        {{ tally.json_bigint('record', 'ticket_id') }} as ticket_id,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updated_at')) }} as updated_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'solved_at')) }} as solved_at,
        {{ tally.json_bigint('record', 'reply_time_in_minutes.calendar') }} as reply_time_calendar_minutes,
        {{ tally.json_bigint('record', 'reply_time_in_minutes.business') }} as reply_time_business_minutes,
        {{ tally.json_bigint('record', 'first_resolution_time_in_minutes.calendar') }} as first_resolution_calendar_minutes,
        {{ tally.json_bigint('record', 'full_resolution_time_in_minutes.calendar') }} as full_resolution_calendar_minutes,
        {{ tally.json_bigint('record', 'full_resolution_time_in_minutes.business') }} as full_resolution_business_minutes,
        {{ tally.json_bigint('record', 'replies') }} as replies,
        {{ tally.json_bigint('record', 'reopens') }} as reopens,
        _partition_date as landed_date
    from latest
)

select * from final
