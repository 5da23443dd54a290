{#- Daily, weekly (7-day) and 28-day active users for every day on which someone was active in
    the trailing 28 days: the expensive part of the web KPIs, so it is incremental. A day's
    activity moves the trailing windows of the 27 days after it, and its late hits the 3 days
    before it: a refresh rebuilds that span.

    A user active on day a counts in the N-day window of the days a .. a + N - 1. Each user's
    such spans are merged into runs (a user counts once a day), and a day's count is the running
    sum of runs started minus runs ended: one row per user and active day, not per user and
    each of the 28 days its activity covers. -#}

{{ config(
    on_schema_change='fail',
    tags=['daily'],
    **tally.windowed_config(
        'date_day', pre_hook="{{ tally.delete_window('date_day', before=3, after=27) }}")
) }}

{%- set windows = {'wau': 7, 'mau_28d': 28} %}

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

{%- for name, days in windows.items() %}

{{ name }}_runs as (
    select
        user_id,
        activity_day,
        sum(starts_run) over (
            partition by user_id order by activity_day rows between unbounded preceding and current row
        ) as run
    from (
        select
            user_id,
            activity_day,
            case
                when lag(activity_day) over (partition by user_id order by activity_day)
                    >= activity_day - {{ days }} then 0
                else 1
            end as starts_run
        from activity
    ) as flagged
),

{{ name }}_changes as (
    select day, sum(delta) as delta
    from (
        select min(activity_day) as day, 1 as delta
        from {{ name }}_runs group by user_id, run
        union all
        select max(activity_day) + {{ days }} as day, -1 as delta
        from {{ name }}_runs group by user_id, run
    ) as edges
    group by day
),
{%- endfor %}

active_days as (
    select activity_day, count(distinct user_id) as dau
    from activity
    group by activity_day
),

counts as (
    select
        d.date_day,
        coalesce(a.dau, 0) as dau,
        {%- for name in windows %}
        sum(coalesce({{ name }}.delta, 0)) over (
            order by d.date_day rows between unbounded preceding and current row
        ) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from days as d
    left join active_days as a on a.activity_day = d.date_day
    {%- for name in windows %}
    left join {{ name }}_changes as {{ name }} on {{ name }}.day = d.date_day
    {%- endfor %}
),

final as (
    select
        date_day,
        cast(dau as bigint) as dau,
        cast(wau as bigint) as wau,
        cast(mau_28d as bigint) as mau_28d
    from counts
    where mau_28d > 0
      and {{ tally.in_window('date_day', before=3, after=27) }}
)

select * from final
