{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updated_at': 'text', 'status': 'text', 'priority': 'text', 'type': 'text',
    'via.channel': 'text', 'requester_id': 'text', 'organization_id': 'text',
    'created_at': 'text', 'tags': 'json',
} %}

with source as (
    select * from {{ source('zendesk', 'tickets') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select
        *,
        {#- the first and last day any version of the record landed (int_calendar) -#}
        min(_partition_date) over (partition by {{ tally.member_text('r', 'id') }})
            as first_landed_date,
        max(_partition_date) over (partition by {{ tally.member_text('r', 'id') }})
            as last_landed_date
    from parsed
    {{ latest_version(tally.member_text('r', 'id'),
                      tally.iso_to_timestamp(tally.member_text('r', 'updated_at'))) }}
),

final as (
    select
        {{ tally.member_bigint('r', 'id') }} as ticket_id,
        {{ tally.member_text('r', 'status') }} as status,
        {{ tally.member_text('r', 'priority') }} as priority,
        {{ tally.member_text('r', 'type') }} as ticket_type,
        {{ tally.member_text('r', 'via.channel') }} as via_channel,
        {{ tally.member_bigint('r', 'requester_id') }} as requester_id,
        {{ tally.member_bigint('r', 'organization_id') }} as organization_id,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updated_at')) }} as updated_at,
        {{ tally.member_json('r', 'tags') }} as tags,
        _partition_date as landed_date,
        first_landed_date,
        last_landed_date
    from latest
)

select * from final
