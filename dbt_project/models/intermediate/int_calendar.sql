-- Every reporting day from the first landed day to the last (the "as of" day), with the
-- snapshot day of its month: the month's last day, or the as-of day for the running month.
with bounds as (
    select
        min(_partition_date) as first_day,
        max(_partition_date) as as_of_day
    from (
        {%- for table in ['stripe_subscriptions', 'stripe_invoices', 'stripe_charges',
                          'hubspot_contacts', 'ga4_events', 'zendesk_tickets'] %}
        select _partition_date from {{ source('raw', table) }}
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as landed
),

days as (
    select cast(d as date) as date_day
    from bounds, generate_series(bounds.first_day, bounds.as_of_day, interval 1 day) as t(d)
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
