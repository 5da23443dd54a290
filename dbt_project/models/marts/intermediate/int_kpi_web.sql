{#- GA4 traffic and product activity, both grains. Monthly unique visitors and MAU are distinct
    counts over the month, never sums of days.

    Incremental on DuckDB: a refresh rewrites the periods from the first month its GA4 facts
    or its calendar moved (`tally.web_periods_since`) to the end; earlier periods read nothing
    the refresh changed. A table on Spark. -#}

-- depends_on: {{ ref('stg_ga4__events') }}  (read by tally.web_periods_since)

{{ config(
    on_schema_change='fail',
    **tally.windowed_config(
        'period_start', pre_hook="{{ tally.delete_web_periods() }}", spark_table=true)
) }}

{%- set since = tally.web_periods_since() %}

with sessions as (
    select *, cast(date_trunc('month', session_day) as date) as session_month
    from {{ ref('fct_web_sessions') }}
    {%- if since is not none %}
    where session_day >= date '{{ since }}'
    {%- endif %}
),

{#- Visitors, pageviews and signups belong to the period of their events' own timestamps;
    sessions to the period of their first event. -#}
visitors as (
    select *, cast(date_trunc('month', visit_day) as date) as visit_month
    from {{ ref('fct_web_visitors_daily') }}
    {%- if since is not none %}
    where visit_day >= date '{{ since }}'
    {%- endif %}
),

visits as (
    select
        case when grouping(visit_day) = 0 then 'day' else 'month' end as grain,
        coalesce(visit_day, visit_month) as period_start,
        count(distinct user_pseudo_id) as unique_visitors,
        sum(pageviews) as pageviews,
        sum(signups) as signups
    from visitors
    group by grouping sets ((visit_day), (visit_month))
),

session_counts as (
    select
        case when grouping(session_day) = 0 then 'day' else 'month' end as grain,
        coalesce(session_day, session_month) as period_start,
        count(*) as sessions
    from sessions
    group by grouping sets ((session_day), (session_month))
),

traffic as (
    select
        grain,
        period_start,
        v.unique_visitors,
        s.sessions,
        v.pageviews,
        v.signups
    from visits as v
    full join session_counts as s using (grain, period_start)
),

daily_active as (
    select * from {{ ref('int_web_activity_daily') }}
    {%- if since is not none %}
    where date_day >= date '{{ since }}'
    {%- endif %}
),

calendar as (
    select * from {{ ref('int_calendar') }}
    {%- if since is not none %}
    where date_day >= date '{{ since }}'
    {%- endif %}
),

periods as (
    select * from {{ ref('int_periods') }}
    {%- if since is not none %}
    where period_start >= date '{{ since }}'
    {%- endif %}
),

monthly_active as (
    select
        cast(date_trunc('month', activity_day) as date) as month_start,
        count(distinct user_id) as mau
    from {{ ref('fct_active_users_daily') }}
    {%- if since is not none %}
    where activity_day >= date '{{ since }}'
    {%- endif %}
    group by 1
),

active as (
    select
        'day' as grain,
        c.date_day as period_start,
        coalesce(d.dau, 0) as dau,
        coalesce(d.wau, 0) as wau,
        coalesce(d.mau_28d, 0) as mau,
        d.dau / nullif(d.mau_28d, 0) as stickiness
    from calendar as c
    left join daily_active as d using (date_day)
    union all
    select
        'month' as grain,
        c.month_start as period_start,
        avg(coalesce(d.dau, 0)) as dau,
        avg(coalesce(d.wau, 0)) as wau,
        max(coalesce(m.mau, 0)) as mau,
        avg(coalesce(d.dau, 0)) / nullif(max(m.mau), 0) as stickiness
    from calendar as c
    left join daily_active as d using (date_day)
    left join monthly_active as m on m.month_start = c.month_start
    group by c.month_start
),

final as (
    select
        p.grain,
        p.period_start,
        coalesce(t.unique_visitors, 0) as unique_visitors,
        coalesce(t.sessions, 0) as sessions,
        coalesce(t.pageviews, 0) as pageviews,
        coalesce(t.signups, 0) as signups,
        t.signups / nullif(t.unique_visitors, 0) as signup_conversion_rate,
        a.dau,
        a.wau,
        a.mau,
        a.stickiness
    from periods as p
    left join traffic as t using (grain, period_start)
    left join active as a using (grain, period_start)
)

select * from final
