{#- Signed-in users (GA4 `user_id`) with an engagement event on a day: `login`,
    `user_engagement`, or a product event (any event that is not one of GA4's automatic web
    events). The basis of DAU, WAU, MAU.

    Incremental by activity day: a refresh rebuilds, from every event, the days its window's
    events fall on, plus the 3 days before the window (GA4 hits arrive up to 72 hours late, so
    a re-landed file may have removed events of those days). -#}

{{ config(
    on_schema_change='fail',
    tags=['daily'],
    **tally.windowed_config('activity_day', pre_hook="{{ tally.delete_active_days_in_window() }}")
) }}

select distinct
    user_id,
    event_day as activity_day
from {{ ref('stg_ga4__events') }}
where user_id is not null
  and (
    event_name in ('login', 'user_engagement', '{{ var("activation_event") }}')
    or event_name not in ('first_visit', 'session_start', 'page_view', 'scroll', 'click',
                          'view_search_results', 'file_download', 'form_start', 'form_submit',
                          'video_start', 'video_progress', 'video_complete', 'sign_up',
                          'first_open', 'screen_view', 'app_remove', 'os_update')
  )
  {%- if tally.window_bounds() is not none %}
  and event_day in ({{ tally.active_days_in_window() }})
  {%- endif %}
