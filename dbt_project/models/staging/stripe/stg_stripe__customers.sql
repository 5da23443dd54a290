{#- Each record is parsed once, into the members read below (macros/portable/json.sql). -#}
{%- set members = {
    'id': 'text', 'deleted': 'text', 'metadata.account_id': 'text', 'email': 'text',
    'name': 'text', 'currency': 'text', 'created': 'text',
} %}

with source as (
    select * from {{ source('stripe', 'customers') }}
),

parsed as (
    select *, {{ tally.json_parse('record', members) }} as r
    from source
),

versions as (
    select
        *,
        {{ tally.member_text('r', 'id') }} as _customer_id,
        coalesce({{ tally.member_bool('r', 'deleted') }}, false) as _is_deletion
    from parsed
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
        {{ tally.member_text('r', 'id') }} as customer_id,
        nullif(trim({{ tally.member_text('r', 'metadata.account_id') }}), '') as account_id,
        lower({{ tally.member_text('r', 'email') }}) as email,
        {{ tally.email_domain(tally.member_text('r', 'email')) }} as email_domain,
        {{ tally.member_text('r', 'name') }} as customer_name,
        lower({{ tally.member_text('r', 'currency') }}) as currency,
        is_deleted,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('r', 'created')) }} as created_at,
        _partition_date as landed_date,
        _file as source_file,
        _line_number as source_line
    from latest
)

select * from final
