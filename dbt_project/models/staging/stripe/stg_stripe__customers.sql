with source as (
    select * from {{ source('stripe', 'customers') }}
),

versions as (
    select
        *,
        {{ tally.json_text('record', 'id') }} as _customer_id,
        coalesce({{ tally.json_bool('record', 'deleted') }}, false) as _is_deletion
    from source
),

latest as (
    {#- Stripe returns a deleted customer as `{"id": ..., "object": "customer", "deleted": true}`.
        The customer keeps the attributes of its latest version before the deletion (its
        invoices and subscriptions still point at it), and is_deleted says whether its latest
        version is a deletion. A customer known only from its deletion keeps its row too. -#}
    select
        *,
        first_value(_is_deletion) over (
            partition by _customer_id
            order by _partition_date desc, _file desc, _line_number desc
        ) as is_deleted
    from versions
    qualify row_number() over (
        partition by _customer_id
        order by _is_deletion, _partition_date desc, _file desc, _line_number desc
    ) = 1
),

final as (
    select
        {{ tally.json_text('record', 'id') }} as customer_id,
        nullif(trim({{ tally.json_text('record', 'metadata.account_id') }}), '') as account_id,
        lower({{ tally.json_text('record', 'email') }}) as email,
        {{ tally.email_domain(tally.json_text('record', 'email')) }} as email_domain,
        {{ tally.json_text('record', 'name') }} as customer_name,
        lower({{ tally.json_text('record', 'currency') }}) as currency,
        is_deleted,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('record', 'created')) }} as created_at,
        _partition_date as landed_date,
        _file as source_file,
        _line_number as source_line
    from latest
)

select * from final
