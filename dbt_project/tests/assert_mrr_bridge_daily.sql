-- The bridge holds day by day too.
select date, mrr_start, net_new_mrr, mrr, previous_mrr
from (
    select *, lag(mrr) over (order by date) as previous_mrr
    from {{ ref('kpi_daily') }}
)
where abs(mrr_start + net_new_mrr - mrr) > 0.01
   or (previous_mrr is not null and abs(previous_mrr - mrr_start) > 0.01)
