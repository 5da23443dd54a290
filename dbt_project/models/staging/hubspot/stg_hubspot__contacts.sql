with source as (
    select * from {{ source('hubspot', 'contacts') }}
),

latest as (
    select
        *,
        {#- the first and last day any version of the record landed (int_calendar) -#}
        min(_partition_date) over (partition by {{ tally.json_text('record', 'id') }})
            as first_landed_date,
        max(_partition_date) over (partition by {{ tally.json_text('record', 'id') }})
            as last_landed_date
    from source
    {{ latest_version(tally.json_text('record', 'id'),
                      tally.iso_to_timestamp(tally.json_text('record', 'updatedAt'))) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as contact_id,
        lower({{ tally.json_text('record', 'properties.email') }}) as email,
        {{ tally.email_domain(tally.json_text('record', 'properties.email')) }} as email_domain,
        coalesce(
            {{ tally.hubspot_timestamp(tally.json_text('record', 'properties.createdate')) }},
            {{ tally.iso_to_timestamp(tally.json_text('record', 'createdAt')) }}
        ) as created_at,
        {{ tally.iso_to_timestamp(tally.json_text('record', 'updatedAt')) }} as updated_at,
        {{ tally.json_text('record', 'properties.lifecyclestage') }} as lifecycle_stage,
        {%- for stage in ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead',
                          'opportunity', 'customer'] %}
        {{ tally.hubspot_timestamp(tally.json_text('record', 'properties.hs_lifecyclestage_' ~ stage ~ '_date')) }}
            as became_{{ stage }}_at,
        {%- endfor %}
        upper({{ tally.json_text('record', 'properties.hs_analytics_source') }}) as analytics_source,
        nullif({{ tally.json_text('record', 'properties.associatedcompanyid') }}, '') as company_id,
        coalesce({{ tally.json_bool('record', 'archived') }}, false) as is_archived,
        _partition_date as landed_date,
        first_landed_date,
        last_landed_date
    from latest
)

select * from final
