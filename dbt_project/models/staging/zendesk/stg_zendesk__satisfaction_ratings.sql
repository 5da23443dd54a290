{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updated_at': 'text', 'ticket_id': 'text', 'score': 'text',
    'created_at': 'text',
} %}

with source as (
    select * from {{ source('zendesk', 'satisfaction_ratings') }}
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
        {{ tally.member_bigint('r', 'id') }} as satisfaction_rating_id,
        {{ tally.member_bigint('r', 'ticket_id') }} as ticket_id,
        lower({{ tally.member_text('r', 'score') }}) as score,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updated_at')) }} as updated_at,
        _partition_date as landed_date
    from latest
)

select * from final
