{#- Licensed items of every subscription version, normalized to a month in the item's currency
    (KPIS.md `mrr`: year / 12, month / interval_count, week x 52 / 12, day x 365 / 12). Prices
    come from the item's embedded price, else from stg_stripe__prices. Metered prices are kept
    with a zero monthly amount so that excluding them is visible.
    Incremental on DuckDB: a refresh rebuilds the items of the versions that landed on its
    pending subscription days, or of every version when a price landed
    (`subscription_version_window`, macros/partition_window.sql); a table on Spark. -#}

{{ config(
    on_schema_change='fail',
    **tally.windowed_config(
        'valid_from_date',
        pre_hook="{{ tally.delete_days('valid_from_date', tally.subscription_version_window()) }}",
        spark_table=true,
    )
) }}

{#- Each item is parsed once, and its price (an id, or the expanded Price) once more, into the
    members read below (macros/portable/json.sql). -#}
{%- set item_members = {'id': 'text', 'price': 'json', 'quantity': 'text'} -%}
{%- set price_members = {
    'currency': 'text', 'unit_amount': 'text', 'recurring.interval': 'text',
    'recurring.interval_count': 'text', 'recurring.usage_type': 'text',
} %}

with versions as (
    select subscription_id, valid_from_date, items
    from {{ ref('stg_stripe__subscription_history') }}
    where {{ tally.in_days('valid_from_date', tally.subscription_version_window()) }}
),

items as (
    select
        v.subscription_id,
        v.valid_from_date,
        {{ tally.json_parse('item', item_members) }} as r
    from versions as v,
        {{ tally.unnest_rows(tally.json_list('v.items'), 't', 'item') }}
),

items_parsed as (
    select
        *,
        {{ tally.member_ref('r', 'price') }} as price_id,
        {{ tally.json_parse(tally.member_json('r', 'price'), price_members) }} as price
    from items
),

priced as (
    select
        i.subscription_id,
        i.valid_from_date,
        {{ tally.member_text('i.r', 'id') }} as subscription_item_id,
        i.price_id,
        coalesce({{ tally.member_bigint('i.r', 'quantity') }}, 1) as quantity,
        lower(coalesce({{ tally.member_text('i.price', 'currency') }}, p.currency)) as currency,
        coalesce({{ tally.member_bigint('i.price', 'unit_amount') }}, p.unit_amount_minor)
            as unit_amount_minor,
        coalesce({{ tally.member_text('i.price', 'recurring.interval') }}, p.recurring_interval)
            as recurring_interval,
        coalesce(
            {{ tally.member_bigint('i.price', 'recurring.interval_count') }},
            p.recurring_interval_count,
            1
        ) as recurring_interval_count,
        coalesce(
            {{ tally.member_text('i.price', 'recurring.usage_type') }},
            p.usage_type,
            'licensed'
        ) as usage_type
    from items_parsed as i
    left join {{ ref('stg_stripe__prices') }} as p
        on p.price_id = i.price_id
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
