{#- What the state models need from 40M GA4 events, per account and landed day: the first
    event (time and first-touch source), and the activation events' times. Incremental by
    landed day like the events, so identity, channels and trials read thousands of rows, not
    every event. -#}

{{ config(
    on_schema_change='fail',
    tags=['daily'],
    **tally.windowed_config('landed_date', pre_hook="{{ tally.delete_window('landed_date') }}")
) }}

select
    account_id,
    landed_date,
    min(event_at) as first_event_at,
    min_by(first_touch_source, event_at) as first_touch_source,
    min_by(first_touch_medium, event_at) as first_touch_medium,
    {{ tally.sorted_array_agg('event_at', "event_name = '" ~ var("activation_event") ~ "'") }}
        as activation_times
from {{ ref('stg_ga4__events') }}
where account_id is not null
  and {{ tally.in_window('landed_date') }}
group by account_id, landed_date
