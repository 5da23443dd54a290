{#- Every landed version of every subscription, one per (subscription, file day): a version
    takes effect at the start of its file's day (KPIS.md, "Versions in time"); of several
    versions in one day's file, the last line is the day's. Both API layouts are read into the
    same columns, record by record (macros/stripe_subscriptions.sql). -#}

with source as (
    select * from {{ source('stripe', 'subscriptions') }}
),

day_versions as (
    select * from source
    qualify row_number() over (
        partition by {{ tally.json_text('record', 'id') }}, _partition_date
        order by _file desc, _line_number desc
    ) = 1
),

{{ tally.stripe_subscription_versions(
    'day_versions',
    valid_to_date='lead(v._partition_date) over (partition by '
        ~ tally.json_text('v.record', 'id') ~ ' order by v._partition_date)',
) }},

final as (
    select
        *,
        valid_to_date is null as is_latest
    from renamed
)

select * from final
