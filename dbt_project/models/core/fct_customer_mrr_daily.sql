{#- Each customer's MRR at the end of every day it has MRR, in the reporting currency at that
    day's rate: a view over fct_customer_mrr_intervals and the calendar, for users who want a
    day-by-day table. The build's marts do not read it (they work on the intervals). -#}
{{ config(materialized='view') }}

select
    i.customer_key,
    c.date_day,
    i.mrr,
    i.mrr_set_to_end,
    i.mrr_with_unvalued_discount
from {{ ref('fct_customer_mrr_intervals') }} as i
join {{ ref('int_calendar') }} as c
    on c.date_day >= i.valid_from_date
    and c.date_day < i.valid_to_date
