{#- GA4 sessions: distinct (user_pseudo_id, ga_session_id), with the session's channel from its
    first event's traffic source (event `source`/`medium` parameters, else the collected
    traffic source, else the user's first-touch source).

    Incremental by landed day. A session's events can land on different days (midnight, GA4's
    up-to-72-hour late hits), so a refresh drops every session that has an event in the window
    (or had, before a re-land) and rebuilds those sessions from their events landed up to 3 days
    either side of it: the same rows a full rebuild gives. That window is not whole partitions
    of any column, so on Spark (partition replacement, no DELETE) the model is a full table. -#}

{{ config(
    on_schema_change='fail',
    tags=['daily'],
    **tally.windowed_config(
        'session_day', pre_hook="{{ tally.delete_sessions_in_window() }}", spark_table=true)
) }}

with events as (
    select e.* from {{ ref('stg_ga4__events') }} as e
    where {{ tally.in_window('e.landed_date', before=3, after=3) }}
    {%- set bounds = tally.window_bounds() %}
    {%- if bounds is not none %}
      {#- a kept session holds every day its events landed on (first to last landed date,
          as a full rebuild has them): only those overlapping the window's days can match -#}
      and not exists (
        select 1 from {{ this }} as kept
        where kept.user_pseudo_id = e.user_pseudo_id
          and kept.ga_session_id is not distinct from e.ga_session_id
          and kept.last_landed_date >= date '{{ bounds[0] }}' - 3
          and kept.first_landed_date <= date '{{ bounds[1] }}' + 3
      )
    {%- endif %}
),

{#- the first event's source and medium; of events at the same first instant (GA4 stamps
    session_start and the first page_view alike), the lowest source, then medium: the same
    row for both, and the same on every run and engine. One min() of a struct that orders
    the events (40M events: 14 s; a min_by per column, each keeping its own key, took 41 s
    and spilled past the memory limit) -#}
traffic as (
    select
        *,
        {{ tally.ordered_row({
            'started_at': 'event_at',
            'source': "coalesce(event_source, collected_source, first_touch_source, '')",
            'medium': "coalesce(event_medium, collected_medium, first_touch_medium, '')",
            'no_source': 'coalesce(event_source, collected_source, first_touch_source) is null',
            'no_medium': 'coalesce(event_medium, collected_medium, first_touch_medium) is null',
        }, when='event_at is not null') }} as first_event
    from events
),

sessions as (
    select
        user_pseudo_id,
        ga_session_id,
        min(first_event) as first_event,
        max(user_id) as user_id,
        max(account_id) as account_id,
        count(*) filter (where event_name = 'page_view') as pageviews,
        count(*) filter (where event_name = 'sign_up') as signups,
        min(landed_date) as first_landed_date,
        max(landed_date) as last_landed_date
    from traffic
    group by user_pseudo_id, ga_session_id
),

firsts as (
    select
        *,
        first_event.started_at as started_at,
        case when not first_event.no_source then first_event.source end as source,
        case when not first_event.no_medium then first_event.medium end as medium
    from sessions
),

final as (
    select
        user_pseudo_id,
        ga_session_id,
        {{ tally.reporting_date('started_at') }} as session_day,
        started_at,
        {{ tally.ga4_channel('source', 'medium') }} as channel,
        source,
        medium,
        user_id,
        account_id,
        pageviews,
        signups,
        first_landed_date,
        last_landed_date
    from firsts
)

select * from final
