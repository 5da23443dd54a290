{#- One row per contact and lifecycle stage reached (created counts as the stage `contact`),
    with the contact's channel and, for leads and MQLs, whether they reached the next stage
    (customer, SQL) within 90 days: the basis of every funnel count and cohort rate. -#}

with contacts as (
    select * from {{ ref('fct_contacts') }}
),

stages as (
    select contact_id, acquisition_channel, 'contact' as stage, created_day as stage_day,
           cast(null as boolean) as converted_90d
    from contacts
    union all
    select contact_id, acquisition_channel, 'lead', lead_day,
           customer_day is not null and customer_day between lead_day and lead_day + 90
    from contacts
    union all
    select contact_id, acquisition_channel, 'mql', mql_day,
           sql_day is not null and sql_day between mql_day and mql_day + 90
    from contacts
    union all
    select contact_id, acquisition_channel, 'sql', sql_day, null from contacts
    union all
    select contact_id, acquisition_channel, 'opportunity', opportunity_day, null from contacts
)

select
    *,
    cast(date_trunc('month', stage_day) as date) as stage_month
from stages
where stage_day is not null
