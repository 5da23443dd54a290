{#- Every landed version of every subscription, one per (subscription, file day): a version
    takes effect at the start of its file's day (KPIS.md, "Versions in time"); of several
    versions in one day's file, the last line is the day's. Both API layouts are read into the
    same columns, each record parsed once (macros/stripe_subscriptions.sql).
    Incremental on DuckDB by landed day: a refresh parses only the days of subscriptions
    pending since the last build (a day is replaced whole), and its post-hook restates the
    version ends those days move (macros/partition_window.sql); a table on Spark. -#}

{{ config(
    on_schema_change='fail',
    post_hook="{{ tally.restate_version_ends() }}",
    **tally.windowed_config(
        'valid_from_date',
        pre_hook="{{ tally.delete_object_window('valid_from_date', 'stripe', 'subscriptions') }}",
        spark_table=true,
    )
) }}

with source as (
    select * from {{ source('stripe', 'subscriptions') }}
    where {{ tally.in_object_window('_partition_date', 'stripe', 'subscriptions') }}
),

parsed as (
    select
        _partition_date,
        _file,
        _line_number,
        {{ tally.json_parse('record', tally.stripe_subscription_members()) }} as r
    from source
),

day_versions as (
    select * from parsed
    qualify row_number() over (
        partition by {{ tally.member_text('r', 'id') }}, _partition_date
        order by _file desc, _line_number desc
    ) = 1
),

{{ tally.stripe_subscription_versions(
    'day_versions',
    valid_to_date='lead(v._partition_date) over (partition by '
        ~ tally.member_text('v.r', 'id') ~ ' order by v._partition_date)',
) }},

final as (
    select
        *,
        valid_to_date is null as is_latest
    from renamed
)

select * from final
