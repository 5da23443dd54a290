with source as (
    select * from {{ source('raw', 'stripe_customers') }}
),

latest as (
    select * from source
    {{ latest_version(tally.json_text('record', 'id')) }}
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as customer_id,
        nullif(trim({{ tally.json_text('record', 'metadata.account_id') }}), '') as account_id,
        lower({{ tally.json_text('record', 'email') }}) as email,
        {{ tally.email_domain(tally.json_text('record', 'email')) }} as email_domain,
        {{ tally.json_text('record', 'name') }} as customer_name,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        coalesce({{ tally.json_bool('record', 'deleted') }}, false) as is_deleted,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        _partition_date as landed_date,
        _file as source_file,
        _line_number as source_line
    from latest
)

select * from final
