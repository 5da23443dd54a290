with source as (
    select * from {{ source('zendesk', 'users') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updated_at'))) }}
),

final as (
    select
        {{ tally.json_bigint('record', 'id') }} as user_id,
        lower({{ tally.json_text('record', 'email') }}) as email,
        {{ tally.email_domain(tally.json_text('record', 'email')) }} as email_domain,
        {{ tally.json_bigint('record', 'organization_id') }} as organization_id,
        {{ tally.json_text('record', 'role') }} as role,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updated_at')) }} as updated_at,
        _partition_date as landed_date
    from latest
)

select * from final
