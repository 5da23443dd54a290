{#- Finance KPIs (KPIS.md), monthly: expenses by category against revenue and customers. -#}

with expenses as (
    select
        expense_month as period_start,
        sum(expense_amount) filter (where category = 'cogs') as cogs,
        sum(expense_amount) filter (where category = 'support') as support_expenses,
        sum(expense_amount) filter (where category = 'sales') as sales_expenses,
        sum(expense_amount) filter (where category = 'marketing') as marketing_expenses,
        sum(expense_amount) filter (where category <> 'opening_cash') as total_expenses,
        sum(expense_amount) filter (where category = 'opening_cash') as opening_cash
    from {{ ref('fct_expenses') }}
    group by expense_month
),

acquired as (
    select acquired_month as period_start, sum(first_12m_revenue) as first_12m_revenue
    from {{ ref('int_new_customer_first_year_revenue') }}
    group by acquired_month
),

base as (
    select
        p.period_start,
        b.mrr,
        b.paying_customers,
        b.new_customers,
        b.arpa,
        b.arpa_new_customers,
        b.customer_churn_rate,
        r.revenue,
        r.cash_collected,
        e.cogs,
        e.support_expenses,
        e.sales_expenses,
        e.marketing_expenses,
        coalesce(e.total_expenses, 0) as total_expenses,
        e.opening_cash,
        a.first_12m_revenue
    from {{ ref('int_periods') }} as p
    join {{ ref('int_kpi_billing') }} as b using (grain, period_start)
    join {{ ref('int_kpi_revenue') }} as r using (grain, period_start)
    left join expenses as e using (period_start)
    left join acquired as a using (period_start)
    where p.grain = 'month'
),

ratios as (
    select
        *,
        {#- ratios in double on both engines (Spark divides decimals in decimal, to 6 places) -#}
        cast(revenue - coalesce(cogs, 0) as double) / nullif(revenue, 0) as gross_margin,
        cast(revenue - total_expenses as double) / nullif(revenue, 0) as net_profit_margin,
        cast(coalesce(sales_expenses, 0) + coalesce(marketing_expenses, 0) as double)
            / nullif(new_customers, 0) as cac,
        cast(coalesce(cogs, 0) + coalesce(support_expenses, 0) as double)
            / nullif(paying_customers, 0) as cost_to_serve,
        cast(coalesce(first_12m_revenue, 0) - marketing_expenses as double)
            / nullif(marketing_expenses, 0) as marketing_roi,
        cash_collected - total_expenses as net_cash_flow
    from base
),

final as (
    select
        'month' as grain,
        period_start,
        gross_margin,
        net_profit_margin,
        cac,
        arpa * gross_margin / nullif(customer_churn_rate, 0) as ltv,
        arpa * gross_margin / nullif(customer_churn_rate, 0) / nullif(cac, 0) as ltv_to_cac,
        cac / nullif(arpa_new_customers * gross_margin, 0) as cac_payback_months,
        cost_to_serve,
        marketing_roi,
        coalesce(marketing_expenses, 0) as marketing_expenses,
        coalesce(sales_expenses, 0) as sales_expenses,
        total_expenses,
        net_cash_flow,
        {#- the opening balance (finance file), plus net cash flow from its month on -#}
        case when period_start >= opening.opening_month then
            opening.opening_total + sum(
                case when period_start >= opening.opening_month then net_cash_flow else 0 end
            ) over (order by period_start rows unbounded preceding)
        end as cash_balance
    from ratios
    cross join (
        select min(period_start) filter (where opening_cash is not null) as opening_month,
               sum(opening_cash) as opening_total
        from base
    ) as opening
)

select * from final
