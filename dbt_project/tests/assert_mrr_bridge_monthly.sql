-- KPIS.md invariant: mrr_start + net_new_mrr = mrr_end, every month, and each month starts
-- where the previous one ended.
select month, mrr_start, net_new_mrr, mrr, previous_mrr
from (
    select *, lag(mrr) over (order by month) as previous_mrr
    from {{ ref('kpi_monthly') }}
)
where abs(mrr_start + net_new_mrr - mrr) > 0.01
   or (previous_mrr is not null and abs(previous_mrr - mrr_start) > 0.01)
