{#- Each customer's MRR in the reporting currency as intervals [valid_from_date, valid_to_date)
    of constant value, within the reporting calendar: one row per change of a customer's MRR,
    not per day. A subscription in the reporting currency contributes its segments as they are
    (its MRR only moves where a segment starts or ends); adjacent intervals with the same values
    are merged. A subscription in another currency is converted day by day at that day's rate
    (KPIS.md "Reporting currency"), each day rounded to decimal(18, 4), so its MRR moves every
    day: a customer with any such subscription keeps one row per day it has MRR (a one-day
    interval), summed as before; only those customers keep a per-day path. A customer's MRR on
    a day outside every interval is no MRR at all. -#}

with calendar as (
    select * from {{ ref('int_calendar') }}
),

bounds as (
    select min(date_day) as first_day, max(date_day) + 1 as end_day from calendar
),

segments as (
    select
        s.subscription_id,
        s.currency,
        s.mrr_amount,
        s.is_set_to_end,
        s.has_unvalued_discount,
        coalesce(ci.customer_key, 'stripe:' || s.customer_id) as customer_key,
        greatest(s.valid_from_date, b.first_day) as from_day,
        least(s.valid_to_date, b.end_day) as to_day,
        upper(s.currency) = '{{ var("reporting_currency") | upper }}' as in_reporting_currency
    from {{ ref('fct_subscription_mrr_segments') }} as s
    cross join bounds as b
    left join {{ ref('int_customer_identity') }} as ci using (customer_id)
    where s.mrr_amount > 0
),

{#- customers with a subscription in another currency: day by day -#}
fx_customers as (
    select distinct customer_key from segments where not in_reporting_currency
),

fx_days as (
    select
        s.customer_key,
        c.date_day,
        {{ tally.to_reporting('s.mrr_amount', 's.currency', 'c.date_day') }} as mrr_amount,
        s.is_set_to_end,
        s.has_unvalued_discount
    from segments as s
    semi join fx_customers as f on f.customer_key = s.customer_key
    join calendar as c
        on c.date_day >= s.from_day
        and c.date_day < s.to_day
    {{ tally.fx_join('s.currency', 'c.date_day') }}
),

fx_intervals as (
    select
        customer_key,
        date_day as valid_from_date,
        date_day + 1 as valid_to_date,
        cast(sum(mrr_amount) as decimal(38, 4)) as mrr,
        cast(sum(mrr_amount) filter (where is_set_to_end) as decimal(38, 4)) as mrr_set_to_end,
        cast(sum(mrr_amount) filter (where has_unvalued_discount) as decimal(38, 4))
            as mrr_with_unvalued_discount
    from fx_days
    group by customer_key, date_day
),

{#- everyone else: the segments as they are (the conversion is the identity) -#}
pieces as (
    select
        s.customer_key,
        s.from_day,
        s.to_day,
        cast(s.mrr_amount as decimal(18, 4)) as mrr_amount,
        s.is_set_to_end,
        s.has_unvalued_discount
    from segments as s
    anti join fx_customers as f on f.customer_key = s.customer_key
    where s.from_day < s.to_day
),

{#- +amount where a piece starts, -amount where it ends; counts keep "no piece" apart from 0 -#}
events as (
    select
        customer_key,
        from_day as event_day,
        mrr_amount as d_mrr,
        case when is_set_to_end then mrr_amount else 0 end as d_set_to_end,
        case when has_unvalued_discount then mrr_amount else 0 end as d_unvalued,
        1 as d_pieces,
        case when is_set_to_end then 1 else 0 end as d_set_to_end_pieces,
        case when has_unvalued_discount then 1 else 0 end as d_unvalued_pieces
    from pieces
    union all
    select
        customer_key,
        to_day,
        -mrr_amount,
        case when is_set_to_end then -mrr_amount else 0 end,
        case when has_unvalued_discount then -mrr_amount else 0 end,
        -1,
        case when is_set_to_end then -1 else 0 end,
        case when has_unvalued_discount then -1 else 0 end
    from pieces
),

change_days as (
    select
        customer_key,
        event_day,
        sum(d_mrr) as d_mrr,
        sum(d_set_to_end) as d_set_to_end,
        sum(d_unvalued) as d_unvalued,
        sum(d_pieces) as d_pieces,
        sum(d_set_to_end_pieces) as d_set_to_end_pieces,
        sum(d_unvalued_pieces) as d_unvalued_pieces
    from events
    group by customer_key, event_day
),

running as (
    select
        customer_key,
        event_day as valid_from_date,
        lead(event_day) over w as valid_to_date,
        sum(d_mrr) over w as mrr,
        sum(d_set_to_end) over w as mrr_set_to_end,
        sum(d_unvalued) over w as mrr_with_unvalued_discount,
        sum(d_pieces) over w as pieces,
        sum(d_set_to_end_pieces) over w as set_to_end_pieces,
        sum(d_unvalued_pieces) over w as unvalued_pieces
    from change_days
    window w as (partition by customer_key order by event_day)
),

valued as (
    select
        customer_key,
        valid_from_date,
        valid_to_date,
        cast(mrr as decimal(38, 4)) as mrr,
        cast(case when set_to_end_pieces > 0 then mrr_set_to_end end as decimal(38, 4))
            as mrr_set_to_end,
        cast(case when unvalued_pieces > 0 then mrr_with_unvalued_discount end as decimal(38, 4))
            as mrr_with_unvalued_discount
    from running
    where pieces > 0
),

flagged as (
    select
        *,
        lag(valid_to_date) over w is distinct from valid_from_date
            or lag(mrr) over w is distinct from mrr
            or lag(mrr_set_to_end) over w is distinct from mrr_set_to_end
            or lag(mrr_with_unvalued_discount) over w is distinct from mrr_with_unvalued_discount
            as starts_interval
    from valued
    window w as (partition by customer_key order by valid_from_date)
),

numbered as (
    select
        *,
        sum(case when starts_interval then 1 else 0 end) over (
            partition by customer_key order by valid_from_date rows unbounded preceding
        ) as interval_number
    from flagged
),

reporting_intervals as (
    select
        customer_key,
        min(valid_from_date) as valid_from_date,
        max(valid_to_date) as valid_to_date,
        any_value(mrr) as mrr,
        any_value(mrr_set_to_end) as mrr_set_to_end,
        any_value(mrr_with_unvalued_discount) as mrr_with_unvalued_discount
    from numbered
    group by customer_key, interval_number
),

final as (
    select * from reporting_intervals
    union all
    select * from fx_intervals
)

select * from final
