{#- One row per month and acquisition channel: funnel, traffic, new customers, CAC and
    marketing ROI (KPIS.md: "all funnel KPIs also by acquisition channel"). Marketing spend is
    the channel's marketing expenses; sales expenses are not allocated to channels.

    A refresh counts the traffic of the months its GA4 facts moved (`tally.web_periods_since`);
    earlier months' traffic is read back from the mart, which always equals a full build. -#}

-- depends_on: {{ ref('stg_ga4__events') }}  (read by tally.web_periods_since)

{{ config(
    on_schema_change='fail',
    tags=['monthly'],
    **tally.windowed_config('month', grain='month')
) }}

{%- set since = tally.web_periods_since() %}

with months as (
    select period_start as month from {{ ref('int_periods') }} where grain = 'month'
),

contacts as (
    select
        stage_month as month,
        acquisition_channel as channel,
        count(*) filter (where stage = 'contact') as new_contacts,
        count(*) filter (where stage = 'lead') as new_leads,
        count(*) filter (where stage = 'mql') as new_mqls,
        count(*) filter (where stage = 'sql') as new_sqls,
        count(*) filter (where stage = 'opportunity') as new_opportunities,
        count(*) filter (where stage = 'lead' and converted_90d) as leads_converted_90d,
        count(*) filter (where stage = 'mql' and converted_90d) as mqls_converted_90d
    from {{ ref('int_contact_stage_events') }}
    group by all
),

traffic as (
    select
        cast(date_trunc('month', session_day) as date) as month,
        channel,
        count(distinct user_pseudo_id) as unique_visitors,
        count(*) as sessions,
        sum(pageviews) as pageviews,
        sum(signups) as signups
    from {{ ref('fct_web_sessions') }}
    {%- if since is not none %}
    where session_day >= date '{{ since }}'
    {%- endif %}
    group by all
    {%- if since is not none %}
    union all
    select month, channel, unique_visitors, sessions, pageviews, signups
    from {{ this }}
    where month < date '{{ since }}' and sessions > 0
    {%- endif %}
),

customers as (
    select
        c.period_start as month,
        d.acquisition_channel as channel,
        count(*) as new_customers,
        sum(c.mrr_change) as new_mrr
    from {{ ref('int_customer_mrr_changes') }} as c
    join {{ ref('dim_customer') }} as d using (customer_key)
    where c.grain = 'month' and c.movement_type = 'new'
    group by all
),

first_year_revenue as (
    select
        acquired_month as month,
        acquisition_channel as channel,
        sum(first_12m_revenue) as first_12m_revenue
    from {{ ref('int_new_customer_first_year_revenue') }}
    group by all
),

spend as (
    select expense_month as month, channel, sum(expense_amount) as marketing_expenses
    from {{ ref('fct_expenses') }}
    where category = 'marketing' and channel is not null
    group by all
),

channels as (
    select channel from contacts
    union select channel from traffic
    union select channel from customers
    union select channel from spend
),

final as (
    select
        m.month,
        ch.channel,
        coalesce(c.new_contacts, 0) as new_contacts,
        coalesce(c.new_leads, 0) as new_leads,
        coalesce(c.new_mqls, 0) as new_mqls,
        coalesce(c.new_sqls, 0) as new_sqls,
        coalesce(c.new_opportunities, 0) as new_opportunities,
        c.leads_converted_90d / nullif(c.new_leads, 0) as lead_to_customer_rate,
        c.mqls_converted_90d / nullif(c.new_mqls, 0) as mql_to_sql_rate,
        coalesce(t.unique_visitors, 0) as unique_visitors,
        coalesce(t.sessions, 0) as sessions,
        coalesce(t.pageviews, 0) as pageviews,
        coalesce(t.signups, 0) as signups,
        t.signups / nullif(t.unique_visitors, 0) as signup_conversion_rate,
        c.new_leads / nullif(t.unique_visitors, 0) as visitor_to_lead_rate,
        coalesce(cu.new_customers, 0) as new_customers,
        coalesce(cu.new_mrr, 0) as new_mrr,
        coalesce(s.marketing_expenses, 0) as marketing_expenses,
        cast(s.marketing_expenses as double) / nullif(cu.new_customers, 0) as cac,
        cast(coalesce(r.first_12m_revenue, 0) - s.marketing_expenses as double)
            / nullif(s.marketing_expenses, 0) as marketing_roi
    from months as m
    cross join channels as ch
    left join contacts as c on c.month = m.month and c.channel = ch.channel
    left join traffic as t on t.month = m.month and t.channel = ch.channel
    left join customers as cu on cu.month = m.month and cu.channel = ch.channel
    left join first_year_revenue as r on r.month = m.month and r.channel = ch.channel
    left join spend as s on s.month = m.month and s.channel = ch.channel
)

{{ tally.month_window_select('month') }}
