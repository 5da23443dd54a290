{#- CRM funnel (HubSpot lifecycle stages, deals), both grains. Cohort conversion rates count
    the contacts entering a stage in the period that reached the next one within 90 days. -#}

with stages as (
    select
        case when grouping(stage_day) = 0 then 'day' else 'month' end as grain,
        coalesce(stage_day, stage_month) as period_start,
        count(*) filter (where stage = 'contact') as new_contacts,
        count(*) filter (where stage = 'lead') as new_leads,
        count(*) filter (where stage = 'mql') as new_mqls,
        count(*) filter (where stage = 'sql') as new_sqls,
        count(*) filter (where stage = 'opportunity') as new_opportunities,
        count(*) filter (where stage = 'lead' and converted_90d) as leads_converted_90d,
        count(*) filter (where stage = 'mql' and converted_90d) as mqls_converted_90d
    from {{ ref('int_contact_stage_events') }}
    group by grouping sets ((stage_day), (stage_month))
),

deals as (
    select
        case when grouping(closed_day) = 0 then 'day' else 'month' end as grain,
        coalesce(closed_day, closed_month) as period_start,
        count(*) as closed_deals,
        count(*) filter (where is_closed_won) as won_deals,
        avg(sales_cycle_days) filter (where is_closed_won) as avg_sales_cycle_days
    from (
        select *, cast(date_trunc('month', closed_day) as date) as closed_month
        from {{ ref('fct_deals') }} where is_closed and closed_day is not null
    )
    group by grouping sets ((closed_day), (closed_month))
),

final as (
    select
        p.grain,
        p.period_start,
        coalesce(s.new_contacts, 0) as new_contacts,
        coalesce(s.new_leads, 0) as new_leads,
        coalesce(s.new_mqls, 0) as new_mqls,
        coalesce(s.new_sqls, 0) as new_sqls,
        coalesce(s.new_opportunities, 0) as new_opportunities,
        s.leads_converted_90d / nullif(s.new_leads, 0) as lead_to_customer_rate,
        s.mqls_converted_90d / nullif(s.new_mqls, 0) as mql_to_sql_rate,
        d.won_deals / nullif(d.closed_deals, 0) as deal_win_rate,
        d.avg_sales_cycle_days
    from {{ ref('int_periods') }} as p
    left join stages as s using (grain, period_start)
    left join deals as d using (grain, period_start)
)

select * from final
