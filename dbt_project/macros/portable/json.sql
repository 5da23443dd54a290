{#- JSON access, the one engine-specific thing every staging model needs. Paths are dotted
    (`items.data`), quoted per segment so keys with odd characters still work. -#}

{% macro json_path(path) -%}
    '$.{{ path.split(".") | map("tojson") | join(".") }}'
{%- endmacro %}

{% macro json_text(record, path) -%}
    {{ return(adapter.dispatch("json_text", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_text(record, path) -%}
    json_extract_string({{ record }}, {{ tally.json_path(path) }})
{%- endmacro %}

{% macro json_value(record, path) -%}
    {{ return(adapter.dispatch("json_value", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_value(record, path) -%}
    json_extract({{ record }}, {{ tally.json_path(path) }})
{%- endmacro %}

{#- A JSON integer (or an integer written as a string, as BigQuery's extract does). -#}
{% macro json_bigint(record, path) -%}
    {{ return(adapter.dispatch("json_bigint", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_bigint(record, path) -%}
    try_cast(json_extract_string({{ record }}, {{ tally.json_path(path) }}) as bigint)
{%- endmacro %}

{% macro json_decimal(record, path, precision=18, scale=4) -%}
    try_cast(json_extract_string({{ record }}, {{ tally.json_path(path) }}) as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro json_bool(record, path) -%}
    try_cast(json_extract_string({{ record }}, {{ tally.json_path(path) }}) as boolean)
{%- endmacro %}

{#- An id that may be a string, a number, or an expanded object with an `id`. -#}
{% macro json_ref(record, path) -%}
    {{ return(adapter.dispatch("json_ref", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_ref(record, path) -%}
    case
        when json_type({{ record }}, {{ tally.json_path(path) }}) = 'OBJECT'
            then json_extract_string({{ record }}, {{ tally.json_path(path ~ ".id") }})
        else json_extract_string({{ record }}, {{ tally.json_path(path) }})
    end
{%- endmacro %}

{#- A JSON array as a list of JSON values, for unnesting. -#}
{% macro json_array(record, path) -%}
    {{ return(adapter.dispatch("json_array", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_array(record, path) -%}
    coalesce(
        case
            when json_type({{ record }}, {{ tally.json_path(path) }}) = 'ARRAY'
                then cast(json_extract({{ record }}, {{ tally.json_path(path) }}) as json[])
        end,
        cast([] as json[])
    )
{%- endmacro %}

{#- Sum of one integer member over a JSON array of objects (e.g. `total_taxes[].amount`);
    NULL when the array is absent or null. -#}
{% macro json_array_sum(record, path, member) -%}
    {{ return(adapter.dispatch("json_array_sum", "tally")(record, path, member)) }}
{%- endmacro %}
{% macro duckdb__json_array_sum(record, path, member) -%}
    case
        when json_type({{ record }}, {{ tally.json_path(path) }}) = 'ARRAY'
            then coalesce(list_sum(list_transform(
                cast(json_extract({{ record }}, {{ tally.json_path(path) }}) as json[]),
                lambda x: try_cast(json_extract_string(x, '$.{{ member }}') as bigint)
            )), 0)
    end
{%- endmacro %}

{#- Lower-cased domain of an email address. -#}
{% macro email_domain(expr) -%}
    nullif(lower(trim(split_part({{ expr }}, '@', 2))), '')
{%- endmacro %}

{#- A GA4 `event_params` / `user_properties` value by key (a list of {key, value} structs). -#}
{% macro ga4_param(params, key, slot) -%}
    {{ return(adapter.dispatch("ga4_param", "tally")(params, key, slot)) }}
{%- endmacro %}
{% macro duckdb__ga4_param(params, key, slot) -%}
    list_filter({{ params }}, lambda p: p.key = '{{ key }}')[1].value.{{ slot }}
{%- endmacro %}
