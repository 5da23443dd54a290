{%- set stages = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead',
                  'opportunity', 'customer'] -%}

{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'updatedAt': 'text', 'createdAt': 'text', 'archived': 'text',
    'properties.email': 'text', 'properties.createdate': 'text',
    'properties.lifecyclestage': 'text', 'properties.hs_analytics_source': 'text',
    'properties.associatedcompanyid': 'text',
} -%}
{%- for stage in stages -%}
    {%- do members.update({'properties.hs_lifecyclestage_' ~ stage ~ '_date': 'text'}) -%}
{%- endfor %}

with source as (
    select * from {{ source('hubspot', 'contacts') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

latest as (
    select
        *,
        {#- the first and last day any version of the record landed (int_calendar) -#}
        min(_partition_date) over (partition by {{ tally.member_text('r', 'id') }})
            as first_landed_date,
        max(_partition_date) over (partition by {{ tally.member_text('r', 'id') }})
            as last_landed_date
    from parsed
    {{ latest_version(tally.member_text('r', 'id'),
                      tally.iso_to_timestamp(tally.member_text('r', 'updatedAt'))) }}
),

final as (
    select
        {{ tally.member_text('r', 'id') }} as contact_id,
        lower({{ tally.member_text('r', 'properties.email') }}) as email,
        {{ tally.email_domain(tally.member_text('r', 'properties.email')) }} as email_domain,
        coalesce(
            {{ tally.hubspot_timestamp(tally.member_text('r', 'properties.createdate')) }},
            {{ tally.iso_to_timestamp(tally.member_text('r', 'createdAt')) }}
        ) as created_at,
        {{ tally.iso_to_timestamp(tally.member_text('r', 'updatedAt')) }} as updated_at,
        {{ tally.member_text('r', 'properties.lifecyclestage') }} as lifecycle_stage,
        {%- for stage in stages %}
        {{ tally.hubspot_timestamp(tally.member_text('r', 'properties.hs_lifecyclestage_' ~ stage ~ '_date')) }}
            as became_{{ stage }}_at,
        {%- endfor %}
        upper({{ tally.member_text('r', 'properties.hs_analytics_source') }}) as analytics_source,
        nullif({{ tally.member_text('r', 'properties.associatedcompanyid') }}, '') as company_id,
        coalesce({{ tally.member_bool('r', 'archived') }}, false) as is_archived,
        _partition_date as landed_date,
        first_landed_date,
        last_landed_date
    from latest
)

select * from final
