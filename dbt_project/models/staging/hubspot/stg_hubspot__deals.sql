{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updatedAt': 'text', 'properties.dealname': 'text', 'properties.amount': 'text',
    'properties.pipeline': 'text', 'properties.dealstage': 'text',
    'properties.createdate': 'text', 'createdAt': 'text', 'properties.closedate': 'text',
    'properties.hs_is_closed_won': 'text', 'properties.hs_is_closed': 'text',
    'properties.associatedcompanyid': 'text', 'archived': 'text',
} %}

with source as (
    select * from {{ source('hubspot', 'deals') }}
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

renamed as (
    select
        {{ tally.member_text('r', 'id') }} as deal_id,
        {{ tally.member_text('r', 'properties.dealname') }} as deal_name,
        {{ tally.member_decimal('r', 'properties.amount', 18, 2) }} as deal_amount,
        {{ tally.member_text('r', 'properties.pipeline') }} as pipeline,
        {{ tally.member_text('r', 'properties.dealstage') }} as deal_stage,
        coalesce(
            {{ tally.hubspot_timestamp(tally.member_text('r', 'properties.createdate')) }},
            {{ tally.iso_to_timestamp(tally.member_text('r', 'createdAt')) }}
        ) as created_at,
        {{ tally.hubspot_timestamp(tally.member_text('r', 'properties.closedate')) }} as closed_at,
        {{ tally.member_bool('r', 'properties.hs_is_closed_won') }} as hs_is_closed_won,
        {{ tally.member_bool('r', 'properties.hs_is_closed') }} as hs_is_closed,
        coalesce(
            nullif({{ tally.member_text('r', 'properties.associatedcompanyid') }}, ''),
            {#- an array element: read from the record (json_parse reads members by name) -#}
            {{ tally.json_text('record', 'associations.companies.results[0].id') }}
        ) as company_id,
        coalesce({{ tally.member_bool('r', 'archived') }}, false) as is_archived,
        _partition_date as landed_date
    from latest
),

final as (
    select
        deal_id,
        deal_name,
        deal_amount,
        pipeline,
        deal_stage,
        created_at,
        closed_at,
        company_id,
        is_archived,
        landed_date,
        {#- older portals lack the hs_is_closed* properties: fall back to the default stages -#}
        coalesce(hs_is_closed_won, deal_stage = 'closedwon') as is_closed_won,
        coalesce(hs_is_closed, deal_stage in ('closedwon', 'closedlost')) as is_closed
    from renamed
)

select * from final
