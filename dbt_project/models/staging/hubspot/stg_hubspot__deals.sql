with source as (
    select * from {{ source('hubspot', 'deals') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updatedAt'))) }}
),

renamed as (
    select
        {{ tally.json_text('record', 'id') }} as deal_id,
        {{ tally.json_text('record', 'properties.dealname') }} as deal_name,
        {{ tally.json_decimal('record', 'properties.amount', 18, 2) }} as deal_amount,
        {{ tally.json_text('record', 'properties.pipeline') }} as pipeline,
        {{ tally.json_text('record', 'properties.dealstage') }} as deal_stage,
        coalesce(
            {{ tally.hubspot_timestamp(tally.json_text('record', 'properties.createdate')) }},
            {{ tally.iso_to_timestamp(tally.json_text('record', 'createdAt')) }}
        ) as created_at,
        {{ tally.hubspot_timestamp(tally.json_text('record', 'properties.closedate')) }} as closed_at,
        {{ tally.json_bool('record', 'properties.hs_is_closed_won') }} as hs_is_closed_won,
        {{ tally.json_bool('record', 'properties.hs_is_closed') }} as hs_is_closed,
        coalesce(
            nullif({{ tally.json_text('record', 'properties.associatedcompanyid') }}, ''),
            {{ tally.json_text('record', 'associations.companies.results[0].id') }}
        ) as company_id,
        coalesce({{ tally.json_bool('record', 'archived') }}, false) as is_archived,
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
