{#- GA4 sessions: distinct (user_pseudo_id, ga_session_id), with the session's channel from its
    first event's traffic source (event `source`/`medium` parameters, else the collected
    traffic source, else the user's first-touch source). -#}

with events as (
    select * from {{ ref('stg_ga4__events') }}
),

sessions as (
    select
        user_pseudo_id,
        ga_session_id,
        min(event_at) as started_at,
        arg_min(coalesce(event_source, collected_source, first_touch_source), event_at) as source,
        arg_min(coalesce(event_medium, collected_medium, first_touch_medium), event_at) as medium,
        max(user_id) as user_id,
        max(account_id) as account_id,
        count(*) filter (where event_name = 'page_view') as pageviews,
        count(*) filter (where event_name = 'sign_up') as signups
    from events
    group by user_pseudo_id, ga_session_id
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
        signups
    from sessions
)

select * from final
