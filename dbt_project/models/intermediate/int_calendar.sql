{#- Every reporting day from the first landed day to the last (the "as of" day), with the
    snapshot day of its month: the month's last day, or the as-of day for the running month.
    The landed days are those of the Stripe subscriptions, invoices and charges, the HubSpot
    contacts, the GA4 events and the Zendesk tickets, read from their staging models (which
    keep every landed day: the history's versions, the events' days, and the first and last
    landed day of each record). -#}

with landed as (
    select min(valid_from_date) as first_day, max(valid_from_date) as last_day
    from {{ ref('stg_stripe__subscription_history') }}
    {%- for model in ['stg_stripe__invoices', 'stg_stripe__charges', 'stg_hubspot__contacts',
                      'stg_zendesk__tickets'] %}
    union all
    select min(first_landed_date), max(last_landed_date) from {{ ref(model) }}
    {%- endfor %}
    union all
    select min(landed_date), max(landed_date) from {{ ref('stg_ga4__events') }}
),

bounds as (
    select
        min(first_day) as first_day,
        max(last_day) as as_of_day
    from landed
),

days as (
    select cast(d as date) as date_day
    from bounds, {{ tally.day_series('bounds.first_day', 'bounds.as_of_day', 't', 'd') }}
),

final as (
    select
        date_day,
        cast(date_trunc('month', date_day) as date) as month_start,
        least(last_day(date_day), bounds.as_of_day) as month_snapshot_day,
        date_day = least(last_day(date_day), bounds.as_of_day) as is_month_snapshot,
        bounds.as_of_day
    from days, bounds
)

select * from final
