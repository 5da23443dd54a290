{#- Timestamps are stored as UTC `timestamp` without a zone on DuckDB; on Spark as TIMESTAMP
    (the session time zone is UTC, so the wall clock shown and written is UTC), whatever the
    vendor sent. -#}

{% macro epoch_seconds_to_timestamp(expr) -%}
    {{ return(adapter.dispatch("epoch_seconds_to_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__epoch_seconds_to_timestamp(expr) -%}
    make_timestamp(({{ expr }})::bigint * 1000000)
{%- endmacro %}
{% macro spark__epoch_seconds_to_timestamp(expr) -%}
    timestamp_seconds(cast({{ expr }} as bigint))
{%- endmacro %}

{% macro epoch_micros_to_timestamp(expr) -%}
    {{ return(adapter.dispatch("epoch_micros_to_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__epoch_micros_to_timestamp(expr) -%}
    make_timestamp(({{ expr }})::bigint)
{%- endmacro %}
{% macro spark__epoch_micros_to_timestamp(expr) -%}
    timestamp_micros(cast({{ expr }} as bigint))
{%- endmacro %}

{#- ISO-8601 text (any offset) to UTC; NULL when it does not parse. Text without an offset is
    UTC (both sessions run in UTC). Spark's cast also takes a bare year or year-month, or a
    trailing blank, which DuckDB refuses: those are NULL on Spark too. -#}
{% macro iso_to_timestamp(expr) -%}
    {{ return(adapter.dispatch("iso_to_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__iso_to_timestamp(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}
{% macro spark__iso_to_timestamp(expr) -%}
    case
        when {{ expr }} rlike '^ *[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{1,2}(.*[^ ])?)?$'
            then cast({{ expr }} as timestamp)
    end
{%- endmacro %}

{#- HubSpot writes dates as ISO strings or as epoch milliseconds in a string. -#}
{% macro hubspot_timestamp(expr) -%}
    {{ return(adapter.dispatch("hubspot_timestamp", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__hubspot_timestamp(expr) -%}
    case
        when regexp_full_match({{ expr }}, '-?[0-9]+')
            then {{ tally.epoch_micros_to_timestamp("try_cast(" ~ expr ~ " as bigint) * 1000") }}
        when regexp_full_match({{ expr }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            then try_cast({{ expr }} as date)::timestamp
        else {{ tally.iso_to_timestamp(expr) }}
    end
{%- endmacro %}
{% macro spark__hubspot_timestamp(expr) -%}
    case
        when {{ expr }} rlike '^-?[0-9]+\\z'
            then {{ tally.epoch_micros_to_timestamp(tally.text_to_int(expr) ~ " * 1000") }}
        when {{ expr }} rlike '^[0-9]{4}-[0-9]{2}-[0-9]{2}\\z'
            then cast(try_cast({{ expr }} as date) as timestamp)
        else {{ tally.iso_to_timestamp(expr) }}
    end
{%- endmacro %}

{#- A `yyyymmdd` text (GA4's event_date) as a date; NULL when it does not parse. -#}
{% macro yyyymmdd_to_date(expr) -%}
    {{ return(adapter.dispatch("yyyymmdd_to_date", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__yyyymmdd_to_date(expr) -%}
    try_strptime({{ expr }}, '%Y%m%d')::date
{%- endmacro %}
{% macro spark__yyyymmdd_to_date(expr) -%}
    case when {{ expr }} rlike '^[0-9]{8}\\z' then to_date({{ expr }}, 'yyyyMMdd') end
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
{% macro spark__reporting_date(expr) -%}
    {%- if var("reporting_timezone") == "UTC" -%}
        cast({{ expr }} as date)
    {%- else -%}
        cast(from_utc_timestamp({{ expr }}, '{{ var("reporting_timezone") }}') as date)
    {%- endif -%}
{%- endmacro %}
