select
    deal_id,
    company_id,
    {{ tally.reporting_date('created_at') }} as created_day,
    {{ tally.reporting_date('closed_at') }} as closed_day,
    is_closed,
    is_closed_won,
    {{ dbt.datediff('created_at', 'closed_at', 'second') }} / cast(86400 as double) as sales_cycle_days
from {{ ref('stg_hubspot__deals') }}
where not is_archived
