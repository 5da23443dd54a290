{#- Each subscription's MRR over time as compact segments [valid_from, valid_to) of constant MRR,
    in the subscription's currency. Segments break where a version takes effect and where a
    discount starts or ends, the subscription stops billing, or a trial ends, inside a version.
    MRR counts `active` and `past_due` subscriptions only, licensed items only, after the
    discounts in force on the segment's first day, applied in order. -#}

with versions as (
    select * from {{ ref('int_subscription_versions') }}
    where effective_from_date < effective_to_date
),

items as (
    select
        subscription_id,
        valid_from_date,
        min(currency) as currency,
        sum(monthly_amount) as items_mrr,
        {#- an amount-off coupon takes its amount off each invoice: spread it over the period -#}
        min(months_per_period) filter (where usage_type <> 'metered') as months_per_period
    from {{ ref('int_subscription_items') }}
    group by subscription_id, valid_from_date
),

discounts as (
    select * from {{ ref('int_subscription_discounts') }}
),

{#- where a segment starts: a version's first day, and a discount's start or end, the day
    the subscription stops billing or its trial ends, inside the version -#}
inner_points as (
    select d.subscription_id, d.valid_from_date, d.start_date as point_date
    from discounts as d
    union all
    select d.subscription_id, d.valid_from_date, d.end_date from discounts as d
    union all
    select subscription_id, valid_from_date, stops_billing_date from versions
    union all
    select subscription_id, valid_from_date, cast(trial_end_at as date) from versions
),

breakpoints as (
    select subscription_id, valid_from_date, effective_from_date as point_date from versions
    union
    select v.subscription_id, v.valid_from_date, p.point_date
    from versions as v
    join inner_points as p using (subscription_id, valid_from_date)
    where p.point_date > v.effective_from_date and p.point_date < v.effective_to_date
),

segments as (
    select
        b.subscription_id,
        b.valid_from_date,
        b.point_date as segment_from_date,
        coalesce(
            lead(b.point_date) over (
                partition by b.subscription_id, b.valid_from_date order by b.point_date
            ),
            v.effective_to_date
        ) as segment_to_date
    from breakpoints as b
    join versions as v using (subscription_id, valid_from_date)
),

discounts_in_force as (
    select
        s.subscription_id,
        s.valid_from_date,
        s.segment_from_date,
        {{ tally.discount_list('d.percent_off', 'd.amount_off', 'd.position', 'd.is_valued') }}
            as applied,
        bool_or(not d.is_valued) as has_unvalued_discount
    from segments as s
    join discounts as d
        on d.subscription_id = s.subscription_id
        and d.valid_from_date = s.valid_from_date
        and coalesce(d.start_date, date '0001-01-01') <= s.segment_from_date
        and s.segment_from_date < coalesce(d.end_date, date '9999-12-31')
    group by all
),

valued as (
    select
        s.subscription_id,
        v.customer_id,
        s.valid_from_date,
        s.segment_from_date,
        s.segment_to_date,
        v.status,
        coalesce(i.currency, v.currency) as currency,
        s.segment_from_date < v.stops_billing_date
            and v.status in ('active', 'past_due') as is_billing,
        coalesce(i.items_mrr, 0) as undiscounted_mrr,
        i.months_per_period,
        di.applied,
        coalesce(di.has_unvalued_discount, false) as has_unvalued_discount,
        {#- committed MRR: billing now, but set to end (cancel_at_period_end or cancel_at) -#}
        v.cancel_at_period_end or v.cancel_at is not null as is_set_to_end
    from segments as s
    join versions as v using (subscription_id, valid_from_date)
    left join items as i using (subscription_id, valid_from_date)
    left join discounts_in_force as di using (subscription_id, valid_from_date, segment_from_date)
    where s.segment_from_date < s.segment_to_date
),

final as (
    select
        subscription_id,
        customer_id,
        segment_from_date as valid_from_date,
        segment_to_date as valid_to_date,
        status,
        currency,
        is_billing,
        cast(
            case
                when not is_billing then 0
                else greatest(
                    {{ tally.apply_discounts('applied', 'undiscounted_mrr', 'months_per_period') }},
                    0
                )
            end
            as decimal(18, 4)
        ) as mrr_amount,
        cast(case when is_billing then undiscounted_mrr else 0 end as decimal(18, 4))
            as undiscounted_mrr_amount,
        has_unvalued_discount and is_billing as has_unvalued_discount,
        is_set_to_end and is_billing as is_set_to_end,
        valid_from_date as version_valid_from_date
    from valued
)

select * from final
