{#- One row per GA4 event. Events have no id: a line repeated verbatim (an export retried) is
    one event. Parameters are read by key from `event_params`, whatever value slot holds them.
    Incremental by landed day: a run re-reads only its partition window's files (a day's rows
    are replaced whole, so a re-landed day never double counts). -#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    tags=['daily'],
    pre_hook="{{ tally.delete_window('landed_date') }}",
) }}

with source as (
    select * from {{ source('raw', 'ga4_events') }}
    where {{ tally.in_window('_partition_date') }}
),

deduped as (
    select * from source
    qualify row_number() over (
        partition by _partition_date, md5(record::varchar)
        order by _file desc, _line_number desc
    ) = 1
),

params as (
    select
        *,
        from_json(
            coalesce(json_extract(record, '$.event_params'), '[]'),
            '[{"key": "VARCHAR", "value": {"string_value": "VARCHAR", "int_value": "VARCHAR",
               "float_value": "DOUBLE", "double_value": "DOUBLE"}}]'
        ) as event_params,
        from_json(
            coalesce(json_extract(record, '$.user_properties'), '[]'),
            '[{"key": "VARCHAR", "value": {"string_value": "VARCHAR", "int_value": "VARCHAR"}}]'
        ) as user_properties
    from deduped
),

final as (
    select
        try_strptime({{ tally.json_text('record', 'event_date') }}, '%Y%m%d')::date as event_date,
        {{ tally.epoch_micros_to_timestamp(tally.json_bigint('record', 'event_timestamp')) }} as event_at,
        {{ tally.reporting_date(tally.epoch_micros_to_timestamp(tally.json_bigint('record', 'event_timestamp'))) }}
            as event_day,
        {{ tally.json_text('record', 'event_name') }} as event_name,
        {{ tally.json_text('record', 'user_pseudo_id') }} as user_pseudo_id,
        {{ tally.json_text('record', 'user_id') }} as user_id,
        try_cast({{ tally.ga4_param('event_params', 'ga_session_id', 'int_value') }} as bigint)
            as ga_session_id,
        {{ tally.ga4_param('event_params', 'page_location', 'string_value') }} as page_location,
        {{ tally.ga4_param('event_params', 'page_referrer', 'string_value') }} as page_referrer,
        try_cast({{ tally.ga4_param('event_params', 'engagement_time_msec', 'int_value') }} as bigint)
            as engagement_time_msec,
        {{ tally.ga4_param('event_params', 'source', 'string_value') }} as event_source,
        {{ tally.ga4_param('event_params', 'medium', 'string_value') }} as event_medium,
        {{ tally.ga4_param('event_params', 'campaign', 'string_value') }} as event_campaign,
        nullif(trim(coalesce(
            {{ tally.ga4_param('user_properties', 'account_id', 'string_value') }},
            {{ tally.ga4_param('user_properties', 'account_id', 'int_value') }}
        )), '') as account_id,
        {{ tally.json_text('record', 'traffic_source.source') }} as first_touch_source,
        {{ tally.json_text('record', 'traffic_source.medium') }} as first_touch_medium,
        {{ tally.json_text('record', 'traffic_source.name') }} as first_touch_campaign,
        {{ tally.json_text('record', 'collected_traffic_source.manual_source') }} as collected_source,
        {{ tally.json_text('record', 'collected_traffic_source.manual_medium') }} as collected_medium,
        {{ tally.json_text('record', 'collected_traffic_source.manual_campaign_name') }} as collected_campaign,
        {{ tally.json_text('record', 'collected_traffic_source.gclid') }} as gclid,
        {{ tally.json_text('record', 'device.category') }} as device_category,
        {{ tally.json_text('record', 'geo.country') }} as country,
        _partition_date as landed_date
    from params
)

select * from final
