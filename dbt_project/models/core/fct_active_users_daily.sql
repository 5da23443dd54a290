{#- Signed-in users (GA4 `user_id`) with an engagement event on a day: `login`,
    `user_engagement`, or a product event (any event that is not one of GA4's automatic web
    events). The basis of DAU, WAU, MAU. -#}

select distinct
    user_id,
    {{ tally.reporting_date('event_at') }} as activity_day
from {{ ref('stg_ga4__events') }}
where user_id is not null
  and (
    event_name in ('login', 'user_engagement', '{{ var("activation_event") }}')
    or event_name not in ('first_visit', 'session_start', 'page_view', 'scroll', 'click',
                          'view_search_results', 'file_download', 'form_start', 'form_submit',
                          'video_start', 'video_progress', 'video_complete', 'sign_up',
                          'first_open', 'screen_view', 'app_remove', 'os_update')
  )
