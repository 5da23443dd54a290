with source as (
    select * from {{ source('zendesk', 'tickets') }}
),

latest as (
    select
        *,
        {#- the first and last day any version of the record landed (int_calendar) -#}
        min(_partition_date) over (partition by {{ tally.json_text('record', 'id') }})
            as first_landed_date,
        max(_partition_date) over (partition by {{ tally.json_text('record', 'id') }})
            as last_landed_date
    from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updated_at'))) }}
),

final as (
    select
        {{ tally.json_bigint('record', 'id') }} as ticket_id,
        {{ tally.json_text('record', 'status') }} as status,
        {{ tally.json_text('record', 'priority') }} as priority,
        {{ tally.json_text('record', 'type') }} as ticket_type,
        {{ tally.json_text('record', 'via.channel') }} as via_channel,
        {{ tally.json_bigint('record', 'requester_id') }} as requester_id,
        {{ tally.json_bigint('record', 'organization_id') }} as organization_id,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updated_at')) }} as updated_at,
        {{ tally.json_value('record', 'tags') }} as tags,
        _partition_date as landed_date,
        first_landed_date,
        last_landed_date
    from latest
)

select * from final
