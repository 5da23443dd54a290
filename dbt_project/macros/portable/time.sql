{#- Timestamps are stored as UTC `timestamp` (no time zone), whatever the vendor sent. -#}

{% macro epoch_seconds_to_timestamp(expr) -%}
    {{ return(adapter.dispatch("epoch_seconds_to_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__epoch_seconds_to_timestamp(expr) -%}
    make_timestamp(({{ expr }})::bigint * 1000000)
{%- endmacro %}

{% macro epoch_micros_to_timestamp(expr) -%}
    {{ return(adapter.dispatch("epoch_micros_to_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__epoch_micros_to_timestamp(expr) -%}
    make_timestamp(({{ expr }})::bigint)
{%- endmacro %}

{#- ISO-8601 text (any offset) to UTC; NULL when it does not parse. -#}
{% macro iso_to_timestamp(expr) -%}
    {{ return(adapter.dispatch("iso_to_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__iso_to_timestamp(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}

{#- HubSpot writes dates as ISO strings or as epoch milliseconds in a string. -#}
{% macro hubspot_timestamp(expr) -%}
    case
        when regexp_full_match({{ expr }}, '-?[0-9]+')
            then {{ tally.epoch_micros_to_timestamp("try_cast(" ~ expr ~ " as bigint) * 1000") }}
        when regexp_full_match({{ expr }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            then try_cast({{ expr }} as date)::timestamp
        else {{ tally.iso_to_timestamp(expr) }}
    end
{%- endmacro %}

{#- The reporting day of a UTC timestamp, in the configured reporting time zone. -#}
{% macro reporting_date(expr) -%}
    {{ return(adapter.dispatch("reporting_date", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__reporting_date(expr) -%}
    {%- if var("reporting_timezone") == "UTC" -%}
        cast({{ expr }} as date)
    {%- else -%}
        cast(timezone('{{ var("reporting_timezone") }}', timezone('UTC', {{ expr }})) as date)
    {%- endif -%}
{%- endmacro %}
