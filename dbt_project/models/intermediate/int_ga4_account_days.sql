{#- What the state models need from 40M GA4 events, per account and landed day: the first
    event (time and first-touch source), and the activation events' times. Incremental by
    landed day like the events, so identity, channels and trials read thousands of rows, not
    every event. -#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    tags=['daily'],
    pre_hook="{{ tally.delete_window('landed_date') }}",
) }}

select
    account_id,
    landed_date,
    min(event_at) as first_event_at,
    arg_min(first_touch_source, event_at) as first_touch_source,
    arg_min(first_touch_medium, event_at) as first_touch_medium,
    list(event_at order by event_at)
        filter (where event_name = '{{ var("activation_event") }}') as activation_times
from {{ ref('stg_ga4__events') }}
where account_id is not null
  and {{ tally.in_window('landed_date') }}
group by account_id, landed_date
