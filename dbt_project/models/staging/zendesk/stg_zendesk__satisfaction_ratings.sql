with source as (
    select * from {{ source('zendesk', 'satisfaction_ratings') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updated_at'))) }}
),

final as (
    select
        {{ tally.json_bigint('record', 'id') }} as satisfaction_rating_id,
        {{ tally.json_bigint('record', 'ticket_id') }} as ticket_id,
        lower({{ tally.json_text('record', 'score') }}) as score,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'created_at')) }} as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updated_at')) }} as updated_at,
        _partition_date as landed_date
    from latest
)

select * from final
