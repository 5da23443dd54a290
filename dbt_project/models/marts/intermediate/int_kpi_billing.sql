{#- MRR and its movements per period (KPIS.md, Billing KPIs), both grains. -#}

with changes as (
    select * from {{ ref('int_customer_mrr_changes') }}
),

referral_customers as (
    select customer_key from {{ ref('dim_customer') }} where acquisition_channel = 'referral'
),

levels as (
    {#- MRR and paying customers at both ends of the period, from the daily running totals -#}
    select
        p.grain,
        p.period_start,
        coalesce(e.mrr, 0) as mrr,
        coalesce(s.mrr, 0) as mrr_start,
        coalesce(e.paying_customers, 0) as paying_customers,
        coalesce(s.paying_customers, 0) as customers_start,
        coalesce(e.mrr_set_to_end, 0) as mrr_set_to_end,
        coalesce(e.mrr_with_unvalued_discount, 0) as mrr_with_unvalued_discount
    from {{ ref('int_periods') }} as p
    left join {{ ref('int_mrr_daily_totals') }} as e on e.date_day = p.snapshot_day
    left join {{ ref('int_mrr_daily_totals') }} as s on s.date_day = p.period_start - 1
),

movement_sums as (
    {#- day grain holds only the customers whose MRR changed: `unchanged` adds nothing here -#}
    select
        grain,
        period_start,
        coalesce(sum(mrr_change) filter (where movement_type = 'new'), 0) as new_mrr,
        coalesce(sum(mrr_change) filter (where movement_type = 'reactivation'), 0) as reactivation_mrr,
        coalesce(sum(mrr_change) filter (where movement_type = 'expansion'), 0) as expansion_mrr,
        coalesce(-sum(mrr_change) filter (where movement_type = 'contraction'), 0) as contraction_mrr,
        coalesce(-sum(mrr_change) filter (where movement_type = 'churn'), 0) as churned_mrr,
        count(*) filter (where movement_type = 'new') as new_customers,
        count(*) filter (where movement_type = 'reactivation') as reactivated_customers,
        count(*) filter (where movement_type = 'churn') as churned_customers,
        count(*) filter (
            where movement_type = 'new'
              and customer_key in (select customer_key from referral_customers)
        ) as new_referral_customers
    from changes
    group by grain, period_start
),

movements as (
    select
        l.grain,
        l.period_start,
        l.mrr_start,
        l.mrr,
        l.customers_start,
        l.paying_customers,
        coalesce(ms.new_mrr, 0) as new_mrr,
        coalesce(ms.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(ms.expansion_mrr, 0) as expansion_mrr,
        coalesce(ms.contraction_mrr, 0) as contraction_mrr,
        coalesce(ms.churned_mrr, 0) as churned_mrr,
        coalesce(ms.new_customers, 0) as new_customers,
        coalesce(ms.reactivated_customers, 0) as reactivated_customers,
        coalesce(ms.churned_customers, 0) as churned_customers,
        coalesce(ms.new_referral_customers, 0) as new_referral_customers
    from levels as l
    left join movement_sums as ms using (grain, period_start)
),

committed as (
    {#- CMRR removes the MRR of subscriptions set to end (cancel_at_period_end or cancel_at) -#}
    select grain, period_start, mrr_set_to_end, mrr_with_unvalued_discount
    from levels
),

twelve_months as (
    {#- customers paying 12 months before the period's end: their MRR now vs then (the daily
        totals carry both sums; a period whose day 12 months earlier is before the calendar
        has none) -#}
    select
        p.grain,
        p.period_start,
        n.mrr_now_of_12m_cohort as mrr_now_of_cohort,
        n.mrr_now_capped_of_12m_cohort as mrr_now_capped_of_cohort,
        t.mrr as mrr_then_of_cohort
    from {{ ref('int_periods') }} as p
    join {{ ref('int_mrr_daily_totals') }} as t
        on t.date_day = cast(p.snapshot_day - interval 12 month as date)
    left join {{ ref('int_mrr_daily_totals') }} as n on n.date_day = p.snapshot_day
),

trials as (
    select
        case when grouping(trial_end_day) = 0 then 'day' else 'month' end as grain,
        coalesce(trial_end_day, trial_month) as period_start,
        count(*) as trials_ended,
        count(*) filter (where converted) as trials_converted
    from (
        select *, cast(date_trunc('month', trial_end_day) as date) as trial_month
        from {{ ref('fct_trials') }}
        where trial_end_day <= (select max(as_of_day) from {{ ref('int_calendar') }})
    )
    group by grouping sets ((trial_end_day), (trial_month))
),

pqls as (
    select
        case when grouping(activated_day) = 0 then 'day' else 'month' end as grain,
        coalesce(activated_day, activated_month) as period_start,
        count(distinct customer_key) as pqls
    from (
        select *, cast(date_trunc('month', activated_day) as date) as activated_month
        from {{ ref('fct_trials') }}
        where activated_day is not null
    )
    group by grouping sets ((activated_day), (activated_month))
),

final as (
    select
        p.grain,
        p.period_start,
        coalesce(m.mrr, 0) as mrr,
        coalesce(m.mrr, 0) * 12 as arr,
        coalesce(m.mrr_start, 0) as mrr_start,
        coalesce(m.paying_customers, 0) as paying_customers,
        coalesce(m.customers_start, 0) as customers_start,
        coalesce(m.new_customers, 0) as new_customers,
        coalesce(m.reactivated_customers, 0) as reactivated_customers,
        coalesce(m.churned_customers, 0) as churned_customers,
        cast(m.mrr as double) / nullif(m.paying_customers, 0) as arpa,
        cast(m.mrr * 12 as double) / nullif(m.paying_customers, 0) as acv,
        coalesce(m.new_mrr, 0) as new_mrr,
        coalesce(m.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(m.expansion_mrr, 0) as expansion_mrr,
        coalesce(m.contraction_mrr, 0) as contraction_mrr,
        coalesce(m.churned_mrr, 0) as churned_mrr,
        coalesce(m.new_mrr + m.reactivation_mrr + m.expansion_mrr - m.contraction_mrr
                 - m.churned_mrr, 0) as net_new_mrr,
        coalesce(m.mrr, 0) + coalesce(fc.committed_mrr_change, 0)
            - coalesce(c.mrr_set_to_end, 0) as cmrr,
        (coalesce(m.mrr, 0) + coalesce(fc.committed_mrr_change, 0)
            - coalesce(c.mrr_set_to_end, 0)) * 12 as carr,
        coalesce(c.mrr_with_unvalued_discount, 0) as mrr_with_unvalued_discount,
        m.churned_customers / nullif(m.customers_start, 0) as customer_churn_rate,
        cast(m.churned_mrr + m.contraction_mrr as double) / nullif(m.mrr_start, 0)
            as gross_mrr_churn_rate,
        cast(m.churned_mrr + m.contraction_mrr - m.expansion_mrr as double) / nullif(m.mrr_start, 0)
            as net_mrr_churn_rate,
        cast(m.mrr_start + m.expansion_mrr - m.contraction_mrr - m.churned_mrr as double)
            / nullif(m.mrr_start, 0) as nrr,
        cast(m.mrr_start - m.contraction_mrr - m.churned_mrr as double) / nullif(m.mrr_start, 0)
            as grr,
        cast(t.mrr_now_of_cohort as double) / nullif(t.mrr_then_of_cohort, 0) as nrr_12m,
        cast(t.mrr_now_capped_of_cohort as double) / nullif(t.mrr_then_of_cohort, 0) as grr_12m,
        (m.paying_customers - m.new_customers - m.reactivated_customers)
            / nullif(m.customers_start, 0) as customer_retention_rate,
        cast(m.new_mrr + m.reactivation_mrr + m.expansion_mrr as double)
            / nullif(m.churned_mrr + m.contraction_mrr, 0) as quick_ratio,
        tr.trials_converted / nullif(tr.trials_ended, 0) as trial_conversion_rate,
        coalesce(pq.pqls, 0) as pqls,
        m.new_referral_customers / nullif(m.customers_start, 0) as viral_coefficient,
        cast(m.new_mrr as double) / nullif(m.new_customers, 0) as arpa_new_customers
    from {{ ref('int_periods') }} as p
    left join movements as m using (grain, period_start)
    left join committed as c using (grain, period_start)
    left join {{ ref('int_committed_mrr_changes') }} as fc using (grain, period_start)
    left join twelve_months as t using (grain, period_start)
    left join trials as tr using (grain, period_start)
    left join pqls as pq using (grain, period_start)
)

select * from final
