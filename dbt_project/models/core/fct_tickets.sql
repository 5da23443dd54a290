-- Zendesk tickets with their metrics and account.
with tickets as (
    select * from {{ ref('stg_zendesk__tickets') }} where status <> 'deleted'
),

metrics as (
    select * from {{ ref('stg_zendesk__ticket_metrics') }}
    qualify row_number() over (partition by ticket_id order by updated_at desc nulls last) = 1
),

accounts as (
    select cast(source_account_id as bigint) as organization_id, customer_key
    from {{ ref('int_source_accounts_matched') }}
    where source = 'zendesk'
),

final as (
    select
        t.ticket_id,
        a.customer_key,
        t.status,
        t.priority,
        t.via_channel,
        {{ tally.reporting_date('t.created_at') }} as created_day,
        {#- solved time from the metrics; a solved ticket without metrics: its last update -#}
        {{ tally.reporting_date(
            "coalesce(m.solved_at, case when t.status in ('solved', 'closed') then t.updated_at end)"
        ) }} as solved_day,
        m.reply_time_calendar_minutes as first_reply_minutes,
        m.full_resolution_calendar_minutes as full_resolution_minutes
    from tickets as t
    left join metrics as m using (ticket_id)
    left join accounts as a using (organization_id)
)

select * from final
