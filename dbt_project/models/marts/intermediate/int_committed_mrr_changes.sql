{#- Signed future changes of MRR known on each snapshot day (KPIS.md `cmrr`): a subscription's
    pending update (while its version is in force and the update has not expired), and the next
    future phase of a subscription schedule (from the schedule's creation until the phase
    starts). Each counts as the phase's or update's MRR minus the MRR it replaces. -#}

with periods as (
    select * from {{ ref('int_periods') }}
),

pending_items as (
    select
        v.subscription_id,
        v.valid_from_date,
        v.effective_from_date as known_from,
        least(
            v.effective_to_date,
            coalesce(
                {{ tally.reporting_date(tally.epoch_seconds_to_timestamp(
                    tally.json_bigint('v.pending_update', 'expires_at'))) }},
                date '9999-12-31'
            )
        ) as known_to,
        item
    from {{ ref('int_subscription_versions') }} as v,
        {{ tally.unnest_rows(tally.json_array('v.pending_update', 'subscription_items'), 't', 'item') }}
    where {{ tally.json_is_object('v.pending_update') }}
),

schedule_items as (
    select
        s.subscription_schedule_id,
        s.subscription_id,
        s.customer_id,
        {{ tally.reporting_date('s.created_at') }} as known_from,
        {{ tally.reporting_date(tally.epoch_seconds_to_timestamp(
            tally.json_bigint('phase', 'start_date'))) }} as known_to,
        ph.position as phase_position,
        item
    from {{ ref('stg_stripe__subscription_schedules') }} as s,
        {{ tally.unnest_rows(tally.json_list('s.phases'), 'ph', 'phase', 'position') }},
        {{ tally.unnest_rows(tally.json_array('phase', 'items'), 't', 'item') }}
    where s.status in ('not_started', 'active')
),

priced as (
    select
        'pending_update' as change_type,
        p.subscription_id,
        null as subscription_schedule_id,
        p.known_from,
        p.known_to,
        {{ tally.json_text('p.item', 'id') }} as subscription_item_id,
        p.valid_from_date,
        {{ tally.json_ref('p.item', 'price') }} as price_id,
        coalesce({{ tally.json_bigint('p.item', 'quantity') }}, 1) as quantity
    from pending_items as p
    union all
    select
        'schedule_phase',
        s.subscription_id,
        s.subscription_schedule_id,
        s.known_from,
        s.known_to,
        null,
        null,
        {{ tally.json_ref('s.item', 'price') }},
        coalesce({{ tally.json_bigint('s.item', 'quantity') }}, 1)
    from schedule_items as s
),

valued as (
    select
        c.*,
        pr.currency,
        cast(
            case when pr.usage_type = 'metered' then 0
                 else coalesce(pr.unit_amount, 0) * c.quantity
                    * coalesce({{ tally.monthly_factor(
                        'pr.recurring_interval', 'pr.recurring_interval_count') }}, 0)
            end as decimal(18, 4)
        ) as new_monthly_amount,
        coalesce(i.monthly_amount, 0) as replaced_monthly_amount
    from priced as c
    left join {{ ref('stg_stripe__prices') }} as pr on pr.price_id = c.price_id
    left join {{ ref('int_subscription_items') }} as i
        on i.subscription_id = c.subscription_id
        and i.valid_from_date = c.valid_from_date
        and i.subscription_item_id = c.subscription_item_id
),

changes as (
    {#- one change per pending update, and per schedule's earliest phase not yet started -#}
    select
        change_type,
        coalesce(subscription_id, subscription_schedule_id) as change_key,
        subscription_id,
        min(currency) as currency,
        known_from,
        known_to,
        sum(new_monthly_amount) as new_mrr_amount,
        sum(replaced_monthly_amount) as replaced_mrr_amount
    from valued
    where known_to > known_from
    group by all
),

at_snapshots as (
    select
        p.grain,
        p.period_start,
        p.snapshot_day,
        c.*
    from periods as p
    join changes as c
        on c.known_from <= p.snapshot_day
        and p.snapshot_day < c.known_to
    -- of several future schedule phases, only the next one is the signed change
    qualify row_number() over (
        partition by p.grain, p.period_start, c.change_type, c.change_key
        order by c.known_to nulls last
    ) = 1
),

current_mrr as (
    select subscription_id, valid_from_date, valid_to_date, mrr_amount
    from {{ ref('fct_subscription_mrr_segments') }}
),

final as (
    select
        s.grain,
        s.period_start,
        sum({{ tally.to_reporting(
            "s.new_mrr_amount - case when s.change_type = 'schedule_phase'"
            ~ " then coalesce(m.mrr_amount, 0) else s.replaced_mrr_amount end",
            's.currency', 's.snapshot_day') }}) as committed_mrr_change
    from at_snapshots as s
    left join current_mrr as m
        on m.subscription_id = s.subscription_id
        and s.snapshot_day >= m.valid_from_date
        and s.snapshot_day < m.valid_to_date
    {{ tally.fx_join('s.currency', 's.snapshot_day') }}
    group by s.grain, s.period_start
)

select * from final
