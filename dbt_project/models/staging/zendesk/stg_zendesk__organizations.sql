with source as (
    select * from {{ source('zendesk', 'organizations') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updated_at'))) }}
),

final as (
    select
        {{ tally.json_bigint('record', 'id') }} as organization_id,
        {{ tally.json_text('record', 'name') }} as organization_name,
        nullif(trim({{ tally.json_text('record', 'external_id') }}), '') as external_id,
        {{ tally.json_text_array('record', 'domain_names', 'lower(trim({}))') }} as domain_names,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updated_at')) }} as updated_at,
        _partition_date as landed_date
    from latest
)

select * from final
