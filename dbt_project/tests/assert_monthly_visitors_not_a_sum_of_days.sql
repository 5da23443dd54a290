-- Monthly unique visitors are distinct over the month: never more than the sum of daily ones,
-- and never fewer than the busiest day.
with daily as (
    select
        cast(date_trunc('month', date) as date) as month,
        sum(unique_visitors) as sum_of_days,
        max(unique_visitors) as busiest_day
    from {{ ref('kpi_daily') }}
    group by 1
)
select m.month, m.unique_visitors, d.sum_of_days, d.busiest_day
from {{ ref('kpi_monthly') }} as m
join daily as d using (month)
where m.unique_visitors > d.sum_of_days or m.unique_visitors < d.busiest_day
