{#- One row per month: every KPI of KPIS.md under its catalog name. The running month is
    month-to-date (snapshot on the as-of day). -#}

{{ config(
    on_schema_change='fail',
    tags=['monthly'],
    **tally.windowed_config('month', grain='month')
) }}

with months as (
    select * from {{ ref('int_periods') }} where grain = 'month'
),

match_rates as (
    select
        count(customer_key) filter (where source = 'hubspot')
            / nullif(count(*) filter (where source = 'hubspot'), 0) as identity_match_rate_hubspot,
        count(customer_key) filter (where source = 'zendesk')
            / nullif(count(*) filter (where source = 'zendesk'), 0) as identity_match_rate_zendesk,
        count(customer_key) filter (where source = 'ga4')
            / nullif(count(*) filter (where source = 'ga4'), 0) as identity_match_rate_ga4
    from {{ ref('int_source_accounts_matched') }}
),

final as (
    select
        m.period_start as month,
        m.snapshot_day as as_of_date,
        b.mrr, b.arr, b.mrr_start, b.paying_customers, b.customers_start,
        b.new_customers, b.reactivated_customers, b.churned_customers,
        b.arpa, b.acv,
        b.new_mrr, b.reactivation_mrr, b.expansion_mrr, b.contraction_mrr, b.churned_mrr,
        b.net_new_mrr, b.cmrr, b.carr,
        b.customer_churn_rate, b.gross_mrr_churn_rate, b.net_mrr_churn_rate,
        b.nrr, b.grr, b.nrr_12m, b.grr_12m, b.customer_retention_rate, b.quick_ratio,
        b.trial_conversion_rate,
        r.revenue, r.average_sale_value, r.cash_collected,
        f.net_cash_flow, f.cash_balance,
        f.gross_margin, f.net_profit_margin, f.cac, f.ltv, f.ltv_to_cac, f.cac_payback_months,
        f.cost_to_serve, f.marketing_roi,
        fu.new_contacts, fu.new_leads, fu.new_mqls, fu.new_sqls, fu.new_opportunities,
        (fu.new_mqls - lag(fu.new_mqls) over (order by m.period_start))
            / nullif(lag(fu.new_mqls) over (order by m.period_start), 0) as lead_velocity_rate,
        fu.lead_to_customer_rate, fu.mql_to_sql_rate,
        fu.new_leads / nullif(w.unique_visitors, 0) as visitor_to_lead_rate,
        fu.deal_win_rate, fu.avg_sales_cycle_days,
        b.pqls, b.viral_coefficient,
        w.unique_visitors, w.sessions, w.pageviews, w.signups,
        w.dau, w.wau, w.mau, w.stickiness, w.signup_conversion_rate,
        s.tickets_created, s.tickets_solved, s.open_backlog,
        s.first_reply_minutes_median, s.first_reply_minutes_p90,
        s.resolution_minutes_median, s.resolution_minutes_p90,
        s.csat, s.nps,
        s.tickets_created / nullif(b.paying_customers, 0) as tickets_per_customer,
        mr.identity_match_rate_hubspot, mr.identity_match_rate_zendesk, mr.identity_match_rate_ga4,
        b.mrr_with_unvalued_discount
    from months as m
    left join {{ ref('int_kpi_billing') }} as b using (grain, period_start)
    left join {{ ref('int_kpi_revenue') }} as r using (grain, period_start)
    left join {{ ref('int_kpi_finance') }} as f using (grain, period_start)
    left join {{ ref('int_kpi_funnel') }} as fu using (grain, period_start)
    left join {{ ref('int_kpi_web') }} as w using (grain, period_start)
    left join {{ ref('int_kpi_support') }} as s using (grain, period_start)
    cross join match_rates as mr
)

{{ tally.month_window_select('month') }}
