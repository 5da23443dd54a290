{#- Discounts of every subscription version, in the order they apply, with their coupon
    resolved: an expanded `coupon{}` (pre-basil, basil), a `source.coupon` id (clover and later)
    looked up in stg_stripe__coupons, or a bare discount id, which cannot be valued
    (`is_valued` false: MRR counts the subscription undiscounted and a warning check names it). -#}

with versions as (
    select subscription_id, valid_from_date, discounts
    from {{ ref('stg_stripe__subscription_history') }}
),

discounts as (
    select
        v.subscription_id,
        v.valid_from_date,
        d.position,
        d.discount
    from versions as v,
        {{ tally.unnest_rows(tally.json_list('v.discounts'), 'd', 'discount', 'position') }}
),

parsed as (
    select
        subscription_id,
        valid_from_date,
        position,
        case when {{ tally.json_is_object('discount') }} then {{ tally.json_text('discount', 'id') }}
             else {{ tally.json_scalar_text('discount') }} end as discount_id,
        {{ tally.json_is_object('discount') }} as is_expanded,
        case
            when {{ tally.json_is_object('discount', 'coupon') }}
                then {{ tally.json_member('discount', 'coupon') }}
            when {{ tally.json_is_object('discount', 'source.coupon') }}
                then {{ tally.json_member('discount', 'source.coupon') }}
        end as coupon,
        coalesce(
            {{ tally.json_ref('discount', 'coupon') }},
            {{ tally.json_ref('discount', 'source.coupon') }}
        ) as coupon_id,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('discount', 'start')) }} as start_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('discount', 'end')) }} as end_at
    from discounts
),

resolved as (
    select
        p.subscription_id,
        p.valid_from_date,
        p.position,
        p.discount_id,
        p.coupon_id,
        coalesce({{ tally.json_decimal('p.coupon', 'percent_off', 9, 4) }}, c.percent_off) as percent_off,
        coalesce({{ tally.json_bigint('p.coupon', 'amount_off') }}, c.amount_off_minor) as amount_off_minor,
        lower(coalesce({{ tally.json_text('p.coupon', 'currency') }}, c.currency)) as amount_off_currency,
        coalesce({{ tally.json_text('p.coupon', 'duration') }}, c.duration) as duration,
        {{ tally.reporting_date('p.start_at') }} as start_date,
        {{ tally.reporting_date('p.end_at') }} as end_date
    from parsed as p
    left join {{ ref('stg_stripe__coupons') }} as c on c.coupon_id = p.coupon_id
),

final as (
    select
        *,
        {{ tally.minor_to_major('amount_off_minor', 'amount_off_currency') }} as amount_off,
        percent_off is not null or amount_off_minor is not null as is_valued
    from resolved
)

select * from final
