-- HubSpot contacts with the day they reached each lifecycle stage, their channel and account.
with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }} where not is_archived
),

accounts as (
    select source_account_id as company_id, customer_key
    from {{ ref('int_source_accounts_matched') }}
    where source = 'hubspot'
),

final as (
    select
        c.contact_id,
        a.customer_key,
        {{ tally.hubspot_channel('c.analytics_source') }} as acquisition_channel,
        {{ tally.reporting_date('c.created_at') }} as created_day,
        {{ tally.reporting_date('c.became_lead_at') }} as lead_day,
        {{ tally.reporting_date('c.became_marketingqualifiedlead_at') }} as mql_day,
        {{ tally.reporting_date('c.became_salesqualifiedlead_at') }} as sql_day,
        {{ tally.reporting_date('c.became_opportunity_at') }} as opportunity_day,
        {{ tally.reporting_date('c.became_customer_at') }} as customer_day
    from contacts as c
    left join accounts as a using (company_id)
)

select * from final
