with source as (
    select * from {{ source('hubspot', 'companies') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updatedAt'))) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as company_id,
        {{ tally.json_text('record', 'properties.name') }} as company_name,
        {#- a domain is sometimes entered as a URL: keep the host -#}
        nullif(lower(regexp_replace(regexp_replace(regexp_replace(trim(
            {{ tally.json_text('record', 'properties.domain') }}),
            '^[a-zA-Z]+://', ''), '^www[.]', ''), '/.*$', '')), '') as domain,
        nullif(trim({{ tally.json_text('record', 'properties.account_id') }}), '') as account_id,
        coalesce(
            {{ tally.hubspot_timestamp(tally.json_text('record', 'properties.createdate')) }},
            {{ tally.iso_to_timestamp(tally.json_text('record', 'createdAt')) }}
        ) as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updatedAt')) }} as updated_at,
        coalesce({{ tally.json_bool('record', 'archived') }}, false) as is_archived,
        _partition_date as landed_date
    from latest
)

select * from final
