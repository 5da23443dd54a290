{#- The columns of a landed Stripe subscription version, both API layouts read into the same
    columns, record by record, for stg_stripe__subscription_history (every version, parsed
    once; the latest is `is_latest`). Emits the
    CTEs `item_periods` and `renamed` over `versions`, a CTE of raw rows (one per version
    kept); `valid_to_date` is the SQL of the day the next version takes effect. -#}

{% macro stripe_subscription_versions(versions, valid_to_date) -%}
item_periods as (
    {{ tally.stripe_item_periods(versions) }}
),

renamed as (
    select
        {{ tally.json_text('v.record', 'id') }} as subscription_id,
        {{ tally.json_ref('v.record', 'customer') }} as customer_id,
        {{ tally.json_text('v.record', 'status') }} as status,
        lower({{ tally.json_text('v.record', 'currency') }}) as currency,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'created')) }} as created_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'start_date')) }} as start_date_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'trial_start')) }} as trial_start_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'trial_end')) }} as trial_end_at,
        coalesce({{ tally.json_bool('v.record', 'cancel_at_period_end') }}, false) as cancel_at_period_end,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'cancel_at')) }} as cancel_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'canceled_at')) }} as canceled_at,
        {{ tally.epoch_seconds_to_timestamp(tally.json_bigint('v.record', 'ended_at')) }} as ended_at,
        {{ tally.epoch_seconds_to_timestamp(
            'coalesce(' ~ tally.json_bigint('v.record', 'current_period_start') ~ ', p.item_period_start)'
        ) }} as current_period_start_at,
        {{ tally.epoch_seconds_to_timestamp(
            'coalesce(' ~ tally.json_bigint('v.record', 'current_period_end') ~ ', p.item_period_end)'
        ) }} as current_period_end_at,
        {{ tally.json_value('v.record', 'items.data') }} as items,
        {{ tally.stripe_discounts('v.record') }} as discounts,
        {{ tally.json_value('v.record', 'pending_update') }} as pending_update,
        {{ tally.json_text('v.record', 'schedule') }} as schedule_id,
        v._partition_date as valid_from_date,
        {{ valid_to_date }} as valid_to_date,
        v._file as source_file,
        v._line_number as source_line
    from {{ versions }} as v
    left join item_periods as p using (_file, _line_number)
)
{%- endmacro %}

{#- The billing period of basil and later, which lives on each item: the earliest start and the
    latest end over `items.data`, per raw line (`_file`, `_line_number`) of `versions`; a line
    without items has no row (DuckDB) or NULL bounds (Spark): the same after the left join. -#}
{% macro stripe_item_periods(versions) -%}
    {{ return(adapter.dispatch("stripe_item_periods", "tally")(versions)) }}
{%- endmacro %}
{% macro duckdb__stripe_item_periods(versions) -%}
    select
        _file,
        _line_number,
        min({{ tally.json_bigint('item', 'current_period_start') }}) as item_period_start,
        max({{ tally.json_bigint('item', 'current_period_end') }}) as item_period_end
    from {{ versions }},
        unnest({{ tally.json_array('record', 'items.data') }}) as items(item)
    group by _file, _line_number
{%- endmacro %}
{% macro spark__stripe_item_periods(versions) -%}
    select
        _file,
        _line_number,
        array_min(transform({{ tally.json_array('record', 'items.data') }},
            item -> {{ tally.json_bigint('item', 'current_period_start') }})) as item_period_start,
        array_max(transform({{ tally.json_array('record', 'items.data') }},
            item -> {{ tally.json_bigint('item', 'current_period_end') }})) as item_period_end
    from {{ versions }}
{%- endmacro %}

{#- One JSON list of discounts for both layouts: the legacy single `discount` object, or
    `discounts[]` (expanded objects or bare ids), in the order they apply; `[]` otherwise.
    JSON on DuckDB, JSON text on Spark. -#}
{% macro stripe_discounts(record) -%}
    {{ return(adapter.dispatch("stripe_discounts", "tally")(record)) }}
{%- endmacro %}
{% macro duckdb__stripe_discounts(record) -%}
    case
        when json_type({{ record }}, '$.discount') = 'OBJECT'
            then json_array({{ tally.json_value(record, 'discount') }})
        when json_type({{ record }}, '$.discounts') = 'ARRAY'
            then {{ tally.json_value(record, 'discounts') }}
        else json_array()
    end
{%- endmacro %}
{% macro spark__stripe_discounts(record) -%}
    case
        when {{ tally.spark_json_typed(record, 'discount', 'map<string,string>') }} is not null
            then '[' || {{ tally.json_value(record, 'discount') }} || ']'
        when {{ tally.spark_json_typed(record, 'discounts', 'array<string>') }} is not null
            then {{ tally.json_value(record, 'discounts') }}
        else '[]'
    end
{%- endmacro %}
