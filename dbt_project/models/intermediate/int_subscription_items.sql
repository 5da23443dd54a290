{#- Licensed items of every subscription version, normalized to a month in the item's currency
    (KPIS.md `mrr`: year / 12, month / interval_count, week x 52 / 12, day x 365 / 12). Prices
    come from the item's embedded price, else from stg_stripe__prices. Metered prices are kept
    with a zero monthly amount so that excluding them is visible. -#}

with versions as (
    select subscription_id, valid_from_date, items
    from {{ ref('int_subscription_versions') }}
),

items as (
    select
        v.subscription_id,
        v.valid_from_date,
        item
    from versions as v,
        {{ tally.unnest_rows(tally.json_list('v.items'), 't', 'item') }}
),

priced as (
    select
        i.subscription_id,
        i.valid_from_date,
        {{ tally.json_text('i.item', 'id') }} as subscription_item_id,
        {{ tally.json_ref('i.item', 'price') }} as price_id,
        coalesce({{ tally.json_bigint('i.item', 'quantity') }}, 1) as quantity,
        lower(coalesce({{ tally.json_text('i.item', 'price.currency') }}, p.currency)) as currency,
        coalesce({{ tally.json_bigint('i.item', 'price.unit_amount') }}, p.unit_amount_minor)
            as unit_amount_minor,
        coalesce({{ tally.json_text('i.item', 'price.recurring.interval') }}, p.recurring_interval)
            as recurring_interval,
        coalesce(
            {{ tally.json_bigint('i.item', 'price.recurring.interval_count') }},
            p.recurring_interval_count,
            1
        ) as recurring_interval_count,
        coalesce(
            {{ tally.json_text('i.item', 'price.recurring.usage_type') }},
            p.usage_type,
            'licensed'
        ) as usage_type
    from items as i
    left join {{ ref('stg_stripe__prices') }} as p
        on p.price_id = {{ tally.json_ref('i.item', 'price') }}
),

final as (
    select
        *,
        {{ tally.minor_to_major('unit_amount_minor', 'currency') }} as unit_amount,
        {{ tally.monthly_factor('recurring_interval', 'recurring_interval_count') }}
            as monthly_factor,
        {{ tally.months_per_period('recurring_interval', 'recurring_interval_count') }}
            as months_per_period,
        cast(
            case
                when usage_type = 'metered' then 0
                else coalesce({{ tally.minor_to_major('unit_amount_minor', 'currency') }}, 0)
                    * quantity
                    * coalesce(
                        {{ tally.monthly_factor('recurring_interval', 'recurring_interval_count') }},
                        0
                    )
            end
            as decimal(18, 4)
        ) as monthly_amount
    from priced
)

select * from final
