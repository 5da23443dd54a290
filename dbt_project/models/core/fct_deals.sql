select
    deal_id,
    company_id,
    {{ tally.reporting_date('created_at') }} as created_day,
    {{ tally.reporting_date('closed_at') }} as closed_day,
    is_closed,
    is_closed_won,
    date_diff('second', created_at, closed_at) / 86400.0 as sales_cycle_days
from {{ ref('stg_hubspot__deals') }}
where not is_archived
