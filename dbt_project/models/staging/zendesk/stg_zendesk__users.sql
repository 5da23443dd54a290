{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updated_at': 'text', 'email': 'text', 'organization_id': 'text',
    'role': 'text', 'created_at': 'text',
} %}

with source as (
    select * from {{ source('zendesk', 'users') }}
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
        {{ tally.member_bigint('r', 'id') }} as user_id,
        lower({{ tally.member_text('r', 'email') }}) as email,
        {{ tally.email_domain(tally.member_text('r', 'email')) }} as email_domain,
        {{ tally.member_bigint('r', 'organization_id') }} as organization_id,
        {{ tally.member_text('r', 'role') }} as role,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updated_at')) }} as updated_at,
        _partition_date as landed_date
    from latest
)

select * from final
