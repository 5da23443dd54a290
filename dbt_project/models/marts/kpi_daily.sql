{#- One row per day: every KPI with a daily meaning (MRR at the end of the day, movements
    against the previous day, flows of the day, trailing-window active users). -#}

with days as (
    select * from {{ ref('int_periods') }} where grain = 'day'
),

final as (
    select
        d.period_start as date,
        b.mrr, b.arr, b.mrr_start, b.paying_customers, b.customers_start,
        b.new_customers, b.reactivated_customers, b.churned_customers,
        b.arpa, b.acv,
        b.new_mrr, b.reactivation_mrr, b.expansion_mrr, b.contraction_mrr, b.churned_mrr,
        b.net_new_mrr, b.cmrr, b.carr,
        b.customer_churn_rate, b.gross_mrr_churn_rate, b.net_mrr_churn_rate,
        b.nrr, b.grr, b.nrr_12m, b.grr_12m, b.customer_retention_rate, b.quick_ratio,
        b.trial_conversion_rate, b.pqls, b.viral_coefficient,
        r.revenue, r.average_sale_value, r.cash_collected,
        fu.new_contacts, fu.new_leads, fu.new_mqls, fu.new_sqls, fu.new_opportunities,
        fu.lead_to_customer_rate, fu.mql_to_sql_rate,
        fu.new_leads / nullif(w.unique_visitors, 0) as visitor_to_lead_rate,
        fu.deal_win_rate, fu.avg_sales_cycle_days,
        w.unique_visitors, w.sessions, w.pageviews, w.signups,
        w.dau, w.wau, w.mau, w.stickiness, w.signup_conversion_rate,
        s.tickets_created, s.tickets_solved, s.open_backlog,
        s.first_reply_minutes_median, s.first_reply_minutes_p90,
        s.resolution_minutes_median, s.resolution_minutes_p90,
        s.csat, s.nps,
        s.tickets_created / nullif(b.paying_customers, 0) as tickets_per_customer
    from days as d
    left join {{ ref('int_kpi_billing') }} as b using (grain, period_start)
    left join {{ ref('int_kpi_revenue') }} as r using (grain, period_start)
    left join {{ ref('int_kpi_funnel') }} as fu using (grain, period_start)
    left join {{ ref('int_kpi_web') }} as w using (grain, period_start)
    left join {{ ref('int_kpi_support') }} as s using (grain, period_start)
)

select * from final
