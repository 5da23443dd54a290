{#- Helpdesk KPIs (Zendesk; NPS from HubSpot feedback submissions), both grains. -#}

with tickets as (
    select * from {{ ref('fct_tickets') }}
),

created as (
    select
        case when grouping(created_day) = 0 then 'day' else 'month' end as grain,
        coalesce(created_day, created_month) as period_start,
        count(*) as tickets_created,
        percentile_cont(0.5) within group (order by first_reply_minutes)
            as first_reply_minutes_median,
        percentile_cont(0.9) within group (order by first_reply_minutes)
            as first_reply_minutes_p90
    from (select *, cast(date_trunc('month', created_day) as date) as created_month from tickets)
    group by grouping sets ((created_day), (created_month))
),

solved as (
    select
        case when grouping(solved_day) = 0 then 'day' else 'month' end as grain,
        coalesce(solved_day, solved_month) as period_start,
        count(*) as tickets_solved,
        percentile_cont(0.5) within group (order by full_resolution_minutes)
            as resolution_minutes_median,
        percentile_cont(0.9) within group (order by full_resolution_minutes)
            as resolution_minutes_p90
    from (
        select *, cast(date_trunc('month', solved_day) as date) as solved_month
        from tickets where solved_day is not null
    )
    group by grouping sets ((solved_day), (solved_month))
),

backlog as (
    {#- open at the end of a day = created by then - solved by then (cumulative counts) -#}
    select
        p.grain,
        p.period_start,
        daily.open_backlog
    from {{ ref('int_periods') }} as p
    join (
        select
            c.date_day,
            sum(coalesce(o.opened, 0) - coalesce(x.closed, 0)) over (
                order by c.date_day rows between unbounded preceding and current row
            ) + (select count(*) from tickets
                 where created_day < (select min(date_day) from {{ ref('int_calendar') }})
                   and (solved_day is null
                        or solved_day >= (select min(date_day) from {{ ref('int_calendar') }})))
                as open_backlog
        from {{ ref('int_calendar') }} as c
        left join (select created_day as date_day, count(*) as opened from tickets group by 1) as o
            using (date_day)
        left join (select solved_day as date_day, count(*) as closed from tickets
                   where solved_day is not null group by 1) as x
            using (date_day)
    ) as daily on daily.date_day = p.snapshot_day
),

csat as (
    select
        case when grouping(rated_day) = 0 then 'day' else 'month' end as grain,
        coalesce(rated_day, rated_month) as period_start,
        count(*) filter (where score like 'good%') as good,
        count(*) filter (where score like 'bad%') as bad
    from (
        select *, cast(date_trunc('month', rated_day) as date) as rated_month
        from {{ ref('fct_satisfaction_ratings') }}
    )
    group by grouping sets ((rated_day), (rated_month))
),

nps as (
    select
        case when grouping(submitted_day) = 0 then 'day' else 'month' end as grain,
        coalesce(submitted_day, submitted_month) as period_start,
        count(*) as responses,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'detractor') as detractors
    from (
        select *, cast(date_trunc('month', submitted_day) as date) as submitted_month
        from {{ ref('fct_nps_responses') }}
    )
    group by grouping sets ((submitted_day), (submitted_month))
),

final as (
    select
        p.grain,
        p.period_start,
        coalesce(c.tickets_created, 0) as tickets_created,
        coalesce(s.tickets_solved, 0) as tickets_solved,
        coalesce(b.open_backlog, 0) as open_backlog,
        c.first_reply_minutes_median,
        c.first_reply_minutes_p90,
        s.resolution_minutes_median,
        s.resolution_minutes_p90,
        cs.good / nullif(cs.good + cs.bad, 0) as csat,
        (n.promoters - n.detractors) / nullif(n.responses, 0) * 100 as nps
    from {{ ref('int_periods') }} as p
    left join created as c using (grain, period_start)
    left join solved as s using (grain, period_start)
    left join backlog as b using (grain, period_start)
    left join csat as cs using (grain, period_start)
    left join nps as n using (grain, period_start)
)

select * from final
