{#- Daily, weekly (7-day) and 28-day active users for every day on which someone was active in
    the trailing 28 days: the expensive part of the web KPIs, so it is incremental. A day's
    activity moves the trailing windows of the 27 days after it, and its late hits the 3 days
    before it: a refresh rebuilds that span. -#}

{{ config(
    on_schema_change='fail',
    tags=['daily'],
    **tally.windowed_config(
        'date_day', pre_hook="{{ tally.delete_window('date_day', before=3, after=27) }}")
) }}

with activity as (
    select * from {{ ref('fct_active_users_daily') }}
    where {{ tally.in_window('activity_day', before=3 + 27, after=27) }}
),

bounds as (
    select min(activity_day) as first_day, max(activity_day) + 27 as last_day
    from {{ ref('fct_active_users_daily') }}
),

days as (
    select cast(d as date) as date_day
    from bounds, {{ tally.day_series('bounds.first_day', 'bounds.last_day', 't', 'd') }}
),

final as (
    select
        d.date_day,
        count(distinct a.user_id) filter (where a.activity_day = d.date_day) as dau,
        count(distinct a.user_id) filter (where a.activity_day > d.date_day - 7) as wau,
        count(distinct a.user_id) as mau_28d
    from days as d
    join activity as a
        on a.activity_day > d.date_day - 28
        and a.activity_day <= d.date_day
    where {{ tally.in_window('d.date_day', before=3, after=27) }}
    group by d.date_day
)

select * from final
