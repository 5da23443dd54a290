{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updated_at': 'text', 'name': 'text', 'external_id': 'text',
    'domain_names': 'json', 'created_at': 'text',
} %}

with source as (
    select * from {{ source('zendesk', 'organizations') }}
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
        {{ tally.member_bigint('r', 'id') }} as organization_id,
        {{ tally.member_text('r', 'name') }} as organization_name,
        nullif(trim({{ tally.member_text('r', 'external_id') }}), '') as external_id,
        {{ tally.member_text_array('r', 'domain_names', 'lower(trim({}))') }} as domain_names,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updated_at')) }} as updated_at,
        _partition_date as landed_date
    from latest
)

select * from final
