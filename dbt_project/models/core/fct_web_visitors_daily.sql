{#- Each GA4 visitor (`user_pseudo_id`) on each day they sent an event, the day being the
    event's own timestamp in the reporting time zone (KPIS.md: not GA4's `event_date`, which is
    in the GA4 property's time zone). The basis of unique visitors, pageviews and signups in a
    period: a visitor counts in every period they were seen in, a session spanning midnight
    included.

    Incremental by visit day, like fct_active_users_daily: a refresh rebuilds, from every event,
    the days its window's events fall on, plus the 3 days before the window. -#}

{{ config(
    on_schema_change='fail',
    tags=['daily'],
    **tally.windowed_config(
        'visit_day', pre_hook="{{ tally.delete_active_days_in_window('visit_day') }}")
) }}

select
    event_day as visit_day,
    user_pseudo_id,
    count(*) filter (where event_name = 'page_view') as pageviews,
    count(*) filter (where event_name = 'sign_up') as signups
from {{ ref('stg_ga4__events') }}
where user_pseudo_id is not null
  and event_day is not null
  {%- if tally.window_bounds() is not none %}
  and event_day in ({{ tally.active_days_in_window() }})
  {%- endif %}
group by event_day, user_pseudo_id
