with source as (
    select * from {{ source('hubspot', 'feedback_submissions') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updatedAt'))) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as submission_id,
        upper({{ tally.json_text('record', 'properties.hs_survey_type') }}) as survey_type,
        {{ tally.text_to_int(
            'coalesce(' ~ tally.json_text('record', 'properties.hs_response_value') ~ ', '
                ~ tally.json_text('record', 'properties.hs_value') ~ ')',
            'integer'
        ) }} as response_value,
        coalesce(
            {{ tally.hubspot_timestamp(tally.json_text('record', 'properties.hs_submission_timestamp')) }},
            {{ tally.iso_to_timestamp(tally.json_text('record', 'createdAt')) }}
        ) as submitted_at,
        {{ tally.json_text('record', 'properties.hs_contact_id') }} as contact_id,
        lower({{ tally.json_text('record', 'properties.hs_contact_email') }}) as contact_email,
        _partition_date as landed_date
    from latest
)

select * from final
