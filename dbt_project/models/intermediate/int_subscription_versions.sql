{#- Subscription versions with the days they govern (KPIS.md, "Versions in time"): a version
    takes effect at the start of its file's day, except that a change carries its own time:
    a subscription landed after it started counts from `start_date`, a trial that converted
    counts from `trial_end`, and `ended_at` (even landed days later) ends it on the day it
    happened, restating the days in between. `cancel_at` ends it within its version. -#}

{#- Every column of the history but the item and discount lists (JSON, the bulk of a version's
    bytes), which int_subscription_items and int_subscription_discounts read from the history
    itself: not copied through every window below and written again. -#}
with history as (
    select
        subscription_id, customer_id, status, currency, created_at, start_date_at,
        trial_start_at, trial_end_at, cancel_at_period_end, cancel_at, canceled_at, ended_at,
        current_period_start_at, current_period_end_at, pending_update, schedule_id,
        valid_from_date, valid_to_date, source_file, source_line, is_latest
    from {{ ref('stg_stripe__subscription_history') }}
),

ordered as (
    select
        *,
        row_number() over w as version_number,
        lag(status) over w as previous_status,
        lag(valid_from_date) over w as previous_valid_from_date
    from history
    window w as (partition by subscription_id order by valid_from_date)
),

effective as (
    select
        *,
        case
            when version_number = 1 and status <> 'trialing'
                then least(valid_from_date, {{ tally.reporting_date('start_date_at') }})
            when previous_status = 'trialing' and status <> 'trialing' and trial_end_at is not null
                then greatest(
                    previous_valid_from_date,
                    least(valid_from_date, {{ tally.reporting_date('trial_end_at') }})
                )
            else valid_from_date
        end as effective_from_date
    from ordered
),

ends as (
    select
        subscription_id,
        min({{ tally.reporting_date('ended_at') }}) as ended_date
    from history
    group by subscription_id
),

final as (
    select
        e.*,
        coalesce(
            lead(e.effective_from_date) over (
                partition by e.subscription_id order by e.valid_from_date
            ),
            date '9999-12-31'
        ) as effective_to_date,
        ends.ended_date,
        {#- the first day the subscription no longer bills, as this version knows it -#}
        least(
            coalesce(ends.ended_date, date '9999-12-31'),
            coalesce({{ tally.reporting_date('e.cancel_at') }}, date '9999-12-31')
        ) as stops_billing_date
    from effective as e
    left join ends using (subscription_id)
)

select * from final
