{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updatedAt': 'text', 'properties.hs_survey_type': 'text',
    'properties.hs_response_value': 'text', 'properties.hs_value': 'text',
    'properties.hs_submission_timestamp': 'text', 'createdAt': 'text',
    'properties.hs_contact_id': 'text', 'properties.hs_contact_email': 'text',
} %}

with source as (
    select * from {{ source('hubspot', 'feedback_submissions') }}
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
        {{ tally.member_text('r', 'id') }} as submission_id,
        upper({{ tally.member_text('r', 'properties.hs_survey_type') }}) as survey_type,
        {{ tally.text_to_int(
            'coalesce(' ~ tally.member_text('r', 'properties.hs_response_value') ~ ', '
                ~ tally.member_text('r', 'properties.hs_value') ~ ')',
            'integer'
        ) }} as response_value,
        coalesce(
            {{ tally.hubspot_timestamp(tally.member_text('r', 'properties.hs_submission_timestamp')) }},
            {{ tally.iso_to_timestamp(tally.member_text('r', 'createdAt')) }}
        ) as submitted_at,
        {{ tally.member_text('r', 'properties.hs_contact_id') }} as contact_id,
        lower({{ tally.member_text('r', 'properties.hs_contact_email') }}) as contact_email,
        _partition_date as landed_date
    from latest
)

select * from final
