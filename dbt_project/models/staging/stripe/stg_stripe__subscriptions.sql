{#- The current (latest landed) version of each subscription: the last line of its latest
    file day, read from the source like stg_stripe__subscription_history (same columns; the
    latest version has no `valid_to_date`). -#}

with source as (
    select * from {{ source('stripe', 'subscriptions') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

{{ tally.stripe_subscription_versions('latest', valid_to_date='cast(null as date)') }},

final as (
    select
        *,
        true as is_latest
    from renamed
)

select * from final
