{#- The columns of a landed Stripe subscription version, both API layouts read into the same
    columns, record by record, for stg_stripe__subscription_history (every version, parsed
    once; the latest is `is_latest`). Emits the CTE `renamed` over `versions`, a CTE of raw
    rows (one per version kept) whose record is parsed (`r`: json_parse of
    stripe_subscription_members); `valid_to_date` is the SQL of the day the next version takes
    effect. -#}

{% macro stripe_subscription_members() -%}
    {{ return({
        'id': 'text', 'customer': 'json', 'status': 'text', 'currency': 'text',
        'created': 'text', 'start_date': 'text', 'trial_start': 'text', 'trial_end': 'text',
        'cancel_at_period_end': 'text', 'cancel_at': 'text', 'canceled_at': 'text',
        'ended_at': 'text', 'current_period_start': 'text', 'current_period_end': 'text',
        'items.data': 'json', 'discount': 'json', 'discounts': 'json', 'pending_update': 'json',
        'schedule': 'text',
    }) }}
{%- endmacro %}

{% macro stripe_subscription_versions(versions, valid_to_date) -%}
renamed as (
    select
        {{ tally.member_text('v.r', 'id') }} as subscription_id,
        {{ tally.member_ref('v.r', 'customer') }} as customer_id,
        {{ tally.member_text('v.r', 'status') }} as status,
        lower({{ tally.member_text('v.r', 'currency') }}) as currency,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'created')) }} as created_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'start_date')) }} as start_date_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'trial_start')) }} as trial_start_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'trial_end')) }} as trial_end_at,
        coalesce({{ tally.member_bool('v.r', 'cancel_at_period_end') }}, false) as cancel_at_period_end,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'cancel_at')) }} as cancel_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'canceled_at')) }} as canceled_at,
        {{ tally.epoch_seconds_to_timestamp(tally.member_bigint('v.r', 'ended_at')) }} as ended_at,
        {{ tally.epoch_seconds_to_timestamp(
            'coalesce(' ~ tally.member_bigint('v.r', 'current_period_start') ~ ', '
            ~ tally.stripe_item_period('v.r', 'current_period_start', 'min') ~ ')'
        ) }} as current_period_start_at,
        {{ tally.epoch_seconds_to_timestamp(
            'coalesce(' ~ tally.member_bigint('v.r', 'current_period_end') ~ ', '
            ~ tally.stripe_item_period('v.r', 'current_period_end', 'max') ~ ')'
        ) }} as current_period_end_at,
        {{ tally.member_json('v.r', 'items.data') }} as items,
        {{ tally.stripe_discounts('v.r') }} as discounts,
        {{ tally.member_json('v.r', 'pending_update') }} as pending_update,
        {{ tally.member_text('v.r', 'schedule') }} as schedule_id,
        v._partition_date as valid_from_date,
        {{ valid_to_date }} as valid_to_date,
        v._file as source_file,
        v._line_number as source_line
    from {{ versions }} as v
)
{%- endmacro %}

{#- The billing period of basil and later, which lives on each item: the earliest start
    (`agg` min) or the latest end (max) over `items.data` of a parsed version; NULL without
    items. -#}
{% macro stripe_item_period(parsed, member, agg) -%}
    {{ return(adapter.dispatch("stripe_item_period", "tally")(parsed, member, agg)) }}
{%- endmacro %}
{% macro duckdb__stripe_item_period(parsed, member, agg) -%}
    {%- set items = tally.member_json(parsed, 'items.data') -%}
    list_{{ agg }}(list_transform(
        case when json_type({{ items }}) = 'ARRAY' then cast({{ items }} as json[]) end,
        lambda item: {{ tally.json_bigint('item', member) }}
    ))
{%- endmacro %}
{% macro spark__stripe_item_period(parsed, member, agg) -%}
    array_{{ agg }}(transform({{ tally.json_array(parsed, 'items.data') }},
        item -> {{ tally.json_bigint('item', member) }}))
{%- endmacro %}

{#- One JSON list of discounts for both layouts: the legacy single `discount` object, or
    `discounts[]` (expanded objects or bare ids), in the order they apply; `[]` otherwise.
    Of a parsed version (json_parse): JSON on DuckDB, JSON text on Spark. -#}
{% macro stripe_discounts(parsed) -%}
    {{ return(adapter.dispatch("stripe_discounts", "tally")(parsed)) }}
{%- endmacro %}
{% macro duckdb__stripe_discounts(parsed) -%}
    case
        when json_type({{ tally.member_json(parsed, 'discount') }}) = 'OBJECT'
            then json_array({{ tally.member_json(parsed, 'discount') }})
        when json_type({{ tally.member_json(parsed, 'discounts') }}) = 'ARRAY'
            then {{ tally.member_json(parsed, 'discounts') }}
        else json_array()
    end
{%- endmacro %}
{% macro spark__stripe_discounts(parsed) -%}
    case
        when {{ tally.spark_json_typed(parsed, 'discount', 'map<string,string>') }} is not null
            then '[' || {{ tally.json_value(parsed, 'discount') }} || ']'
        when {{ tally.spark_json_typed(parsed, 'discounts', 'array<string>') }} is not null
            then {{ tally.json_value(parsed, 'discounts') }}
        else '[]'
    end
{%- endmacro %}
