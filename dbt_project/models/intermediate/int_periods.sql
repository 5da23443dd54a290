-- Reporting periods of both grains: every day, and every month up to the as-of day.
select
    'day' as grain,
    date_day as period_start,
    date_day + 1 as period_end,
    date_day as snapshot_day
from {{ ref('int_calendar') }}
union all
select
    'month' as grain,
    month_start as period_start,
    cast(month_start + interval 1 month as date) as period_end,
    date_day as snapshot_day
from {{ ref('int_calendar') }}
where is_month_snapshot
