{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updatedAt': 'text', 'properties.name': 'text', 'properties.domain': 'text',
    'properties.account_id': 'text', 'properties.createdate': 'text', 'createdAt': 'text',
    'archived': 'text',
} %}

with source as (
    select * from {{ source('hubspot', 'companies') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select * from parsed
    {{ latest_version(tally.member_text('r', 'id'),
                      tally.iso_to_timestamp(tally.member_text('r', 'updatedAt'))) }}
),

final as (
    select
        {{ tally.member_text('r', 'id') }} as company_id,
        {{ tally.member_text('r', 'properties.name') }} as company_name,
        {#- a domain is sometimes entered as a URL: keep the host -#}
        nullif(lower(regexp_replace(regexp_replace(regexp_replace(trim(
            {{ tally.member_text('r', 'properties.domain') }}),
            '^[a-zA-Z]+://', ''), '^www[.]', ''), '/.*$', '')), '') as domain,
        nullif(trim({{ tally.member_text('r', 'properties.account_id') }}), '') as account_id,
        coalesce(
            {{ tally.hubspot_timestamp(tally.member_text('r', 'properties.createdate')) }},
            {{ tally.iso_to_timestamp(tally.member_text('r', 'createdAt')) }}
        ) as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updatedAt')) }} as updated_at,
        coalesce({{ tally.member_bool('r', 'archived') }}, false) as is_archived,
        _partition_date as landed_date
    from latest
)

select * from final
